// The header's dict literal, parsed by the rules of the Python literals that numpy's header can hold, without Python.
//
// numpy reads the header with `ast.literal_eval`, which accepts any Python literal; we accept the subset that a dict of
// descr, fortran_order and shape is written in: strings (either quote, no escapes), bare words (True, False, integers,
// and whatever else a word can be, judged later by the field that holds it), tuples and lists, with Python whitespace
// between tokens. Like Python, `(3)` is the integer 3 and `(3,)` a tuple. Nesting is bounded (a structured dtype
// needs two levels), so a hostile header cannot exhaust the stack; every loop advances, so every header ends.
// The entries keep their order and repeats: deciding what a repeated key means is the caller's job (we refuse it;
// numpy would keep the last).

enum HeaderLiteral: Equatable {
    case string(String)
    /// A run of letters, digits and `_ + - .`: True, False, None, 3, -3, 3L, 0x10, 3.0 ...
    case word(String)
    case tuple([HeaderLiteral])
    case list([HeaderLiteral])

    /// Brackets may nest this deep (a structured dtype's descr is a list of tuples, which may hold a shape tuple).
    static let maximumDepth = 8

    /// The entries of the dict literal that fills `text` (ASCII bytes) up to its last '}', and the index after that '}'.
    static func dictionary(_ text: [UInt8]) throws(NPY.ReadError) -> (entries: [(key: String, value: HeaderLiteral)], end: Int) {
        var parser = Parser(text: text)
        let entries = try parser.dictionary()
        return (entries, parser.index)
    }

    /// How a value reads in a message: a short Python-like rendering.
    var description: String {
        switch self {
        case .string(let s): "'\(s)'"
        case .word(let w): w
        case .tuple(let items): "(" + items.map(\.description).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }

    private struct Parser {
        let text: [UInt8]
        var index = 0

        init(text: [UInt8]) { self.text = text }

        static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C }

        static func isWordByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."): true
            default: false
            }
        }

        mutating func skipSpace() { while index < text.count, Self.isSpace(text[index]) { index += 1 } }

        /// The next byte after any whitespace, not consumed; nil at the end.
        mutating func peek() -> UInt8? {
            skipSpace()
            return index < text.count ? text[index] : nil
        }

        /// "malformed .npy header: expected X at character N, found Y" (the position counts from 1 in the header text).
        func malformed(_ expected: String) -> NPY.ReadError {
            let found: String
            if index >= text.count {
                found = "the end of the header"
            } else if text[index] >= 0x20 && text[index] < 0x7F {
                found = "'\(Character(Unicode.Scalar(text[index])))'"
            } else {
                found = "byte 0x" + String(text[index], radix: 16, uppercase: true)
            }
            return NPY.ReadError("malformed .npy header: expected \(expected) at character \(index + 1), found \(found)")
        }

        mutating func expect(_ byte: UInt8, _ expected: String) throws(NPY.ReadError) {
            guard peek() == byte else { throw malformed(expected) }
            index += 1
        }

        mutating func dictionary() throws(NPY.ReadError) -> [(key: String, value: HeaderLiteral)] {
            try expect(UInt8(ascii: "{"), "'{' (the header is a Python dict)")
            var entries: [(key: String, value: HeaderLiteral)] = []
            while true {
                if peek() == UInt8(ascii: "}") { index += 1; return entries }
                guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
                    throw malformed(entries.isEmpty ? "a quoted key or '}'" : "a quoted key")
                }
                let key = try string()
                try expect(UInt8(ascii: ":"), "':' after the key '\(key)'")
                entries.append((key, try value(depth: 0)))
                guard let next = peek(), next == UInt8(ascii: ",") || next == UInt8(ascii: "}") else {
                    throw malformed("',' or '}' after the value of '\(key)'")
                }
                if next == UInt8(ascii: ",") { index += 1 }
            }
        }

        mutating func value(depth: Int) throws(NPY.ReadError) -> HeaderLiteral {
            guard let first = peek() else { throw malformed("a value") }
            switch first {
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "("), UInt8(ascii: "["):
                guard depth < HeaderLiteral.maximumDepth else {
                    throw NPY.ReadError("malformed .npy header: brackets nested more than \(HeaderLiteral.maximumDepth) deep")
                }
                return try sequence(depth: depth)
            case _ where Self.isWordByte(first):
                let start = index
                while index < text.count, Self.isWordByte(text[index]) { index += 1 }
                return .word(String(decoding: text[start..<index], as: UTF8.self))
            default: throw malformed("a value")
            }
        }

        /// A tuple or list; `(x)` without a comma is `x`, as in Python.
        mutating func sequence(depth: Int) throws(NPY.ReadError) -> HeaderLiteral {
            let open = text[index]
            let close = open == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
            let closeName = open == UInt8(ascii: "(") ? "')'" : "']'"
            index += 1
            var items: [HeaderLiteral] = [], sawComma = false
            while true {
                if peek() == close { index += 1; break }
                items.append(try value(depth: depth + 1))
                guard let next = peek(), next == UInt8(ascii: ",") || next == close else { throw malformed("',' or \(closeName)") }
                if next == UInt8(ascii: ",") { index += 1; sawComma = true }
            }
            if open == UInt8(ascii: "[") { return .list(items) }
            return items.count == 1 && !sawComma ? items[0] : .tuple(items)
        }

        /// A quoted string without escapes or line breaks (numpy writes none).
        mutating func string() throws(NPY.ReadError) -> String {
            let quote = text[index]
            index += 1
            let start = index
            while index < text.count, text[index] != quote {
                guard text[index] != UInt8(ascii: "\\") else {
                    throw NPY.ReadError("malformed .npy header: a backslash escape in a string at character \(index + 1) (numpy writes none)")
                }
                guard text[index] >= 0x20 && text[index] < 0x7F else { throw malformed("the closing quote") }
                index += 1
            }
            guard index < text.count else { throw malformed("the closing quote") }
            defer { index += 1 }
            return String(decoding: text[start..<index], as: UTF8.self)
        }
    }
}
