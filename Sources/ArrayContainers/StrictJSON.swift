// The JSON of a safetensors header, parsed strictly (RFC 8259) and without Foundation's JSONSerialization, which keeps
// one of two repeated keys silently: here a repeated key is an error, as is anything RFC 8259 does not allow (a
// trailing comma, a control character in a string, an unpaired surrogate, a leading zero). Numbers are kept as their
// text: the header's only numbers are shapes and offsets, which the caller reads as non-negative integers. Nesting is
// bounded, so a hostile header cannot exhaust the stack; every loop advances, so every header ends.

enum StrictJSON: Equatable {
    case object([(key: String, value: StrictJSON)])
    case array([StrictJSON])
    case string(String)
    /// The number's text, as written (`-0.5e3`): valid by the JSON grammar.
    case number(String)
    case bool(Bool)
    case null

    static func == (a: StrictJSON, b: StrictJSON) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let x), .array(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.null, .null): true
        default: false
        }
    }

    /// Objects and arrays may nest this deep (a safetensors header needs three levels).
    static let maximumDepth = 16

    struct SyntaxError: Error, Equatable {
        let reason: String
        /// The key that appears twice in the outermost object, when that is the error.
        var repeatedTopLevelKey: String? = nil
    }

    /// The one JSON value that fills `bytes`, with JSON whitespace (the padding safetensors writers add) around it.
    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> StrictJSON {
        var parser = Parser(bytes: bytes)
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw parser.error("the end of the header after its JSON value") }
        return value
    }

    /// A value's kind, for messages.
    var kind: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// The value of a non-negative integer written plainly (`0`, `48`), nil for anything else or beyond Int.
    var nonNegativeInteger: Int? {
        guard case .number(let text) = self, !text.isEmpty,
              text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int(text)
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        func error(_ expected: String) -> SyntaxError {
            let found: String
            if index >= bytes.count {
                found = "the end of the header"
            } else if bytes[index] >= 0x20 && bytes[index] < 0x7F {
                found = "'\(Character(Unicode.Scalar(bytes[index])))'"
            } else {
                found = "byte 0x" + String(bytes[index], radix: 16, uppercase: true)
            }
            return SyntaxError(reason: "malformed JSON header: expected \(expected) at byte \(index + 1), found \(found)")
        }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws(SyntaxError) -> StrictJSON {
            skipSpace()
            guard index < bytes.count else { throw error("a value") }
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < StrictJSON.maximumDepth else {
                    throw SyntaxError(reason: "malformed JSON header: objects and arrays nested more than \(StrictJSON.maximumDepth) deep")
                }
                return bytes[index] == UInt8(ascii: "{") ? try object(depth: depth) : try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: throw error("a value")
            }
        }

        mutating func literal(_ word: String) throws(SyntaxError) {
            let text = Array(word.utf8)
            guard index + text.count <= bytes.count, Array(bytes[index..<(index + text.count)]) == text else {
                throw error("a value")
            }
            index += text.count
        }

        mutating func object(depth: Int) throws(SyntaxError) -> StrictJSON {
            index += 1
            var entries: [(key: String, value: StrictJSON)] = [], seen: Set<String> = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(entries) }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("a quoted key") }
                let start = index
                let key = try string()
                guard seen.insert(key).inserted else {
                    index = start
                    throw SyntaxError(reason: "malformed JSON header: the key \(ContainerError.printable(key)) appears twice in one object (at byte \(start + 1))",
                                      repeatedTopLevelKey: depth == 0 ? key : nil)
                }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("':' after a key") }
                index += 1
                entries.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard index < bytes.count else { throw error("',' or '}'") }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(entries) }
                guard bytes[index] == UInt8(ascii: ",") else { throw error("',' or '}'") }
                index += 1
            }
        }

        mutating func array(depth: Int) throws(SyntaxError) -> StrictJSON {
            index += 1
            var items: [StrictJSON] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard index < bytes.count else { throw error("',' or ']'") }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                guard bytes[index] == UInt8(ascii: ",") else { throw error("',' or ']'") }
                index += 1
            }
        }

        /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        mutating func number() throws(SyntaxError) -> String {
            let start = index
            func isDigit(_ i: Int) -> Bool { i < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) }
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw error("a digit") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                guard !isDigit(index) else { throw error("no digit after a leading 0") }
            } else {
                while isDigit(index) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard isDigit(index) else { throw error("a digit after '.'") }
                while isDigit(index) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard isDigit(index) else { throw error("a digit in the exponent") }
                while isDigit(index) { index += 1 }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// A string: valid UTF-8, no control characters, the escapes of RFC 8259 with surrogates paired.
        mutating func string() throws(SyntaxError) -> String {
            index += 1
            var scalars = String.UnicodeScalarView()
            var run = index   // the start of the current run of unescaped bytes
            func flush(_ end: Int) throws(SyntaxError) {
                guard run < end else { return }
                guard let text = String(validating: bytes[run..<end], as: UTF8.self) else {
                    throw SyntaxError(reason: "malformed JSON header: a string that is not valid UTF-8 (bytes \(run + 1) to \(end))")
                }
                scalars.append(contentsOf: text.unicodeScalars)
            }
            while true {
                guard index < bytes.count else { throw error("the closing quote") }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    try flush(index)
                    index += 1
                    return String(scalars)
                }
                guard byte >= 0x20 else { throw error("no control character in a string") }
                guard byte == UInt8(ascii: "\\") else { index += 1; continue }
                try flush(index)
                index += 1
                guard index < bytes.count else { throw error("an escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("a low surrogate after a high one")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("a low surrogate after a high one") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("no unpaired surrogate") }
                    scalars.append(scalar)
                default:
                    index -= 1
                    throw error("an escape (one of \" \\ / b f n r t u)")
                }
                run = index
            }
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            var code: UInt32 = 0
            for _ in 0..<4 {
                let byte = index < bytes.count ? bytes[index] : 0
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw error("four hexadecimal digits after \\u")
                }
                code = code << 4 | UInt32(digit)
                index += 1
            }
            return code
        }
    }
}
