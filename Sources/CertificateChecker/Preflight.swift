// The first pass over a certificate's bytes, before any value is built.
//
// JSONSerialization builds every value of a document before the checker can look at any of it, so a file with a large
// unknown field, deep nesting or a 60 MB string would be parsed in full before being refused. This pass reads the
// bytes once, in constant memory (a path of at most `Limits.depth` components), and refuses at the first of:
// - a syntax error (strict RFC 8259 grammar), or a top level that is not an object;
// - a key the format does not have at that place, before its value is read, or a key repeated in one object (which
//   JSONSerialization would silently resolve to the last value, which the digests would then cover alone);
// - nesting deeper than the format's, a string longer than the format's longest, a number longer than its largest or
//   with a fraction or exponent (the format's numbers are all integers), more values than a certificate within the
//   limits can hold.
// Only then is the document parsed. The format version still comes first among the reasons: the producer writes keys
// sorted, so `formatVersion` is read before `network` and `parts`, and a refusal after reading a version other than 1,
// 2 or 3 reports that version instead. Version 2 adds one key, `statement` in a witness; version 1 files are read as
// before (a statement in one is refused by `RankWitness`). Version 3 adds the convolutional network: `input`, `layers`
// and `theta` in the network, and the layer objects in `layers`. Once a file has said it is version 1 or 2 (before its
// network, as the producer writes it), those keys are unknown in it; a file whose version comes later is held to
// version 3's keys here and refused by the reader if it is not version 3.
import Foundation

struct Preflight {
    typealias Failure = CertificateCheck.Failure
    typealias Limits = CertificateCheck.Limits

    /// Where in the format a value sits: the objects of the format (a layer from version 3), the arrays of parts and
    /// layers, or anywhere else (where the format has no object, so an object there may have no keys).
    enum Place { case root, network, parts, part, witness, layers, layer, other }

    /// The keys of each object of format version 2 (version 1's, and `statement`), in sorted order as the producer writes them.
    static let keys: [Place: [String]] = [
        .root: ["certificateDigest", "flintVersion", "formatVersion", "generator", "inputsDigest", "network",
                "parameters", "parts", "samples", "seed", "type"],
        .network: ["activation", "architecture", "biases", "loss", "weights", "x", "y"],
        .part: ["part", "rank", "witness"],
        .witness: ["columns", "determinantResidue", "method", "prime", "rows", "statement"],
    ]

    /// Version 3's: version 2's, with a convolutional network's keys in `network` (a dense network's and a
    /// convolutional one's: `ConvolutionalNetworkReader` refuses a mixture) and the keys of its layers (a convolution's
    /// and a dense layer's: the reader refuses those of the other kind).
    static let keysVersion3: [Place: [String]] = keys.merging([
        .network: ["activation", "architecture", "biases", "input", "layers", "loss", "theta", "weights", "x", "y"],
        .layer: ["bias", "kernel", "kind", "outChannels", "outputs", "padding", "stride"],
    ]) { $1 }

    /// The keys allowed at `place`, and the version they are named by in a refusal: version 2's in a file that has
    /// said it is version 1 or 2, version 3's otherwise.
    func allowedKeys(_ place: Place) -> (keys: [String], version: Int) {
        if let formatVersion, formatVersion == "1" || formatVersion == "2" { return (Self.keys[place] ?? [], 2) }
        return (Self.keysVersion3[place] ?? [], 3)
    }

    /// Refuses `data` unless it passes every check above.
    static func check(_ data: Data) throws(Failure) {
        var result: Result<Void, Failure> = .success(())
        var version: String?
        data.withUnsafeBytes { buffer in
            var scanner = Preflight(bytes: buffer)
            do throws(Failure) {
                try scanner.document()
            } catch {
                result = .failure(error)
            }
            version = scanner.formatVersion
        }
        guard case .failure(let failure) = result else { return }
        if let version, !["1", "2", "3"].contains(version) {
            guard let number = Int(version) else { throw Failure("formatVersion must be an integer") }
            throw CertificateCheck.unknownVersion(number)
        }
        throw failure
    }

    enum Component {
        case key(String)
        case index(Int)
    }

    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    private var values = 0
    private var path: [Component] = []
    /// The text of the top-level formatVersion once read: the number as written, or "" for a value of another type.
    private(set) var formatVersion: String?

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    // MARK: grammar

    private mutating func document() throws(Failure) {
        skipWhitespace()
        guard position < bytes.count else { throw Failure("malformed JSON: the file is empty") }
        guard bytes[position] == UInt8(ascii: "{") else { throw Failure("malformed JSON: the top level is not an object") }
        try value(.root)
        skipWhitespace()
        guard position == bytes.count else { throw syntax("unexpected characters after the top-level object") }
    }

    private mutating func value(_ place: Place) throws(Failure) {
        values += 1
        guard values <= Limits.values else {
            throw Failure("the file holds more than \(Limits.values) JSON values, the most a certificate within the checker's limits can hold")
        }
        skipWhitespace()
        guard position < bytes.count else { throw syntax("unexpected end of the file") }
        switch bytes[position] {
        case UInt8(ascii: "{"): try object(place)
        case UInt8(ascii: "["): try array(place)
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: throw syntax("unexpected character")
        }
    }

    private mutating func object(_ place: Place) throws(Failure) {
        try enter()
        position += 1
        var seen: [String] = []
        skipWhitespace()
        if consume("}") { return }
        repeat {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw syntax("expected a key") }
            let (raw, key) = try self.key()
            // Looked up at each key: the root's formatVersion may have been read since the object began.
            let (allowed, version) = allowedKeys(place)
            guard let key, allowed.contains(key) else {
                let location = path.isEmpty ? "at the top level" : "in \(render(path))"
                let known = allowed.isEmpty ? "the format has no object here"
                    : "format version \(version) has \(allowed.joined(separator: ", "))"
                throw Failure("unknown key \"\(raw)\" \(location) (\(known))")
            }
            guard !seen.contains(key) else {
                throw Failure("key \"\(key)\" appears twice \(path.isEmpty ? "at the top level" : "in \(render(path))")")
            }
            seen.append(key)
            skipWhitespace()
            guard consume(":") else { throw syntax("expected ':' after a key") }
            path.append(.key(key))
            let start = position
            try value(Self.place(of: key, in: place))
            if place == .root && key == "formatVersion" { formatVersion = numberText(from: start) }
            path.removeLast()
            skipWhitespace()
        } while consume(",")
        guard consume("}") else { throw syntax("expected ',' or '}' in an object") }
    }

    private mutating func array(_ place: Place) throws(Failure) {
        try enter()
        position += 1
        skipWhitespace()
        if consume("]") { return }
        path.append(.index(0))
        var index = 0
        repeat {
            path[path.count - 1] = .index(index)
            try value(place == .parts ? .part : place == .layers ? .layer : .other)
            index += 1
            skipWhitespace()
        } while consume(",")
        guard consume("]") else { throw syntax("expected ',' or ']' in an array") }
        path.removeLast()
    }

    /// A string's raw bytes (between the quotes), checked for the grammar and the length limit.
    private mutating func string(isKey: Bool = false) throws(Failure) -> UnsafeRawBufferPointer {
        position += 1
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if position - start > Limits.stringBytes {
                throw Failure(isKey
                    ? "unknown key of more than \(Limits.stringBytes) bytes \(path.isEmpty ? "at the top level" : "in \(render(path))")"
                    : "\(here): a string longer than \(Limits.stringBytes) bytes, the checker's limit (the format's longest string is a 64-digit digest)")
            }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<(position - 1)])
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { break }
                switch bytes[position] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    guard position + 4 < bytes.count, (1...4).allSatisfy({ Self.isHex(bytes[position + $0]) }) else {
                        throw syntax("a \\u escape needs four hexadecimal digits")
                    }
                    position += 5
                default:
                    throw syntax("unknown escape in a string")
                }
            case 0..<0x20:
                throw syntax("a control character inside a string")
            default:
                position += 1
            }
        }
        throw syntax("unexpected end of the file inside a string")
    }

    /// A key as written (for messages) and decoded (nil if it cannot be one of the format's keys).
    private mutating func key() throws(Failure) -> (raw: String, decoded: String?) {
        let bytes = try string(isKey: true)
        let raw = String(decoding: bytes, as: UTF8.self)
        guard bytes.contains(UInt8(ascii: "\\")) else { return (raw, raw) }
        // An escaped key ("form\u0061tVersion") is the key it decodes to; the string is at most 64 bytes.
        let decoded = try? JSONSerialization.jsonObject(with: Data("\"\(raw)\"".utf8), options: .fragmentsAllowed) as? String
        return (raw, decoded)
    }

    private mutating func number() throws(Failure) {
        let start = position
        _ = consume("-")
        guard position < bytes.count, Self.isDigit(bytes[position]) else { throw syntax("a number needs a digit") }
        if !consume("0") { skipDigits() }
        var integer = true
        if consume(".") {
            integer = false
            guard position < bytes.count, Self.isDigit(bytes[position]) else { throw syntax("a fraction needs a digit") }
            skipDigits()
        }
        if consume("e") || consume("E") {
            integer = false
            if !consume("+") { _ = consume("-") }
            guard position < bytes.count, Self.isDigit(bytes[position]) else { throw syntax("an exponent needs a digit") }
            skipDigits()
        }
        guard position - start <= Limits.numberCharacters else {
            throw Failure("\(here): a number of more than \(Limits.numberCharacters) characters, the checker's limit")
        }
        guard integer else { throw Failure("\(here) must be an integer (the format has no fractions or exponents)") }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let text = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard position + text.count <= bytes.count, bytes[position..<(position + text.count)].elementsEqual(text) else {
            throw syntax("unexpected character")
        }
        position += text.count
    }

    // MARK: helpers

    private mutating func enter() throws(Failure) {
        // `path` holds the components of the enclosing containers below the root.
        guard path.count < Limits.depth else {
            throw Failure("\(here): nested deeper than the format's \(Limits.depth) levels")
        }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    private mutating func skipDigits() {
        while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
    }

    private mutating func consume(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    /// The number just read from `start`, or "" if the value there is not a number.
    private func numberText(from start: Int) -> String {
        var first = start
        while first < position, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(bytes[first]) {
            first += 1
        }
        guard first < position, bytes[first] == UInt8(ascii: "-") || Self.isDigit(bytes[first]) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[first..<position]), as: UTF8.self)
    }

    private var here: String { path.isEmpty ? "the top level" : render(path) }

    private func syntax(_ what: String) -> Failure {
        Failure("malformed JSON: \(what) at byte \(position)")
    }

    private func render(_ path: [Component]) -> String {
        path.enumerated().map { offset, component in
            switch component {
            case .key(let key): offset == 0 ? key : "." + key
            case .index(let index): "[\(index)]"
            }
        }.joined()
    }

    static func place(of key: String, in place: Place) -> Place {
        switch (place, key) {
        case (.root, "network"): .network
        case (.root, "parts"): .parts
        case (.network, "layers"): .layers
        case (.part, "witness"): .witness
        default: .other
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
