import CertificateChecker
import Foundation
import PropertyBased
import SHA256Digest
import Testing

/// Mutation fuzzing of the checker's parser: a small valid certificate, mutated many ways (keys deleted, repeated,
/// renamed, added with large values; values replaced by huge, negative, fractional, string, nested, very long or
/// enormous ones; the architecture and p set to sizes far above the limits; the text truncated, flipped, spliced), and
/// every result either accepted, only if the mutation left the same certificate (the same JSON value), or refused
/// with a one-line reason; none may trap (that would end the test process). Some mutations resize the network to other
/// small widths, with data to match, and re-sign both digests, so that the rebuild and the witnesses run on networks
/// the certificate was not made for. Two seeds: a dense certificate and a convolutional one (format version 3, whose
/// layer objects the mutations reach too; resized, it stays convolutional). (The large resized networks of the review, widths 300,300 and 100,100 with data
/// to match and re-signed, are checked once each in CheckerLimitsTests.) Where the mutation decides the outcome by
/// construction (an unknown key, a repeated key, a truncation, an equivalent rewrite), the outcome is checked too.
///
/// Deterministic: the mutations are drawn with PropertyBased's generators from a fixed-seed Xoshiro, so that every run
/// checks the same 1,500 mutations and a failure names its mutation. (PropertyBased's `.fixedSeed` trait is for
/// replaying a failure: it runs one input and records an issue when the property holds.) Each seed gets the same
/// 1,500 mutations.
@Suite struct CertificateFuzzTests {
    // MARK: the mutations

    /// A JSON value written as text, to stand where a value of the certificate was.
    enum Junk: Sendable, CustomStringConvertible {
        case integer(Int)
        /// A number as written: fractions, exponents, more digits than any integer type holds.
        case number(String)
        case string(String)
        /// A string of that many digits (a decimal entry far beyond 127 bits).
        case digits(Int)
        /// Arrays nested that deep.
        case nested(Int)
        /// Objects with keys nested that deep.
        case objects(Int)
        /// An array of that many zeros.
        case zeros(Int)
        /// An architecture.
        case widths([Int])
        case literal(String)

        var text: String {
            switch self {
            case .integer(let n): String(n)
            case .number(let text): text
            case .string(let text): "\"\(text)\""
            case .digits(let count): "\"" + String(repeating: "7", count: count) + "\""
            case .nested(let depth): String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            case .objects(let depth): String(repeating: "{\"a\": ", count: depth) + "null" + String(repeating: "}", count: depth)
            case .zeros(let count): "[" + [String](repeating: "0", count: count).joined(separator: ",") + "]"
            case .widths(let widths): "[" + widths.map(String.init).joined(separator: ", ") + "]"
            case .literal(let word): word
            }
        }

        var description: String { text.count > 80 ? "\(text.prefix(60))... (\(text.utf8.count) bytes)" : text }
    }

    enum Mutation: Sendable, CustomStringConvertible {
        /// `pick` chooses among the certificate's keys, array elements or objects (modulo their count).
        case delete(pick: Int)
        case rename(pick: Int, to: String)
        case repeatKey(pick: Int)
        case replace(pick: Int, with: Junk)
        case add(pick: Int, name: String, value: Junk)
        /// network.architecture (a convolutional network's input) and the top-level parameters replaced (the data left
        /// as it is).
        case architecture([Int], parameters: Int)
        /// The network resized to these widths with N samples (weights and data of ones, targets of zeros), samples
        /// and parameters to match, both digests recomputed.
        case resized([Int], samples: Int)
        /// The text cut at this fraction of its length.
        case truncate(Double)
        /// The byte at this fraction of the text replaced.
        case flip(Double, UInt8)
        /// Bytes spliced in at this fraction of the text.
        case splice(Double, String)
        /// The same JSON value written otherwise: 0 compact, 1 pretty-printed, 2 with extra whitespace.
        case rewrite(Int)
        /// A key spelled with its first character as a \u escape: the same key.
        case escapeKey(pick: Int)

        var description: String {
            switch self {
            case .delete(let pick): "delete #\(pick)"
            case .rename(let pick, let name): "rename #\(pick) to \(name)"
            case .repeatKey(let pick): "repeat key #\(pick)"
            case .replace(let pick, let junk): "replace #\(pick) with \(junk)"
            case .add(let pick, let name, let junk): "add \(name) = \(junk) to object #\(pick)"
            case .architecture(let widths, let p): "architecture \(widths.prefix(8))\(widths.count > 8 ? "... (\(widths.count))" : ""), parameters \(p)"
            case .resized(let widths, let n): "resized to \(widths), N = \(n), re-signed"
            case .truncate(let at): "truncate at \(at)"
            case .flip(let at, let byte): "byte at \(at) := \(byte)"
            case .splice(let at, let text): "splice \(text.debugDescription) at \(at)"
            case .rewrite(let style): "rewrite in style \(style)"
            case .escapeKey(let pick): "escape key #\(pick)"
            }
        }
    }

    typealias AnyGenerator<T> = Generator<T, AnySequence<Any>>

    /// One of `items`, uniformly.
    static func element<T: Sendable>(_ items: [T]) -> AnyGenerator<T> {
        Gen.int(in: 0...(items.count - 1)).map { items[$0] }.eraseToAny()
    }

    /// One of `choices`, with the given weights.
    static func weighted<T>(_ choices: [(weight: Double, gen: AnyGenerator<T>)]) -> AnyGenerator<T> {
        Gen<T>.frequency(choices).eraseToAny()
    }

    static let pick: AnyGenerator<Int> = Gen.int(in: 0...9_999).eraseToAny()
    static let fraction: AnyGenerator<Double> = Gen.double(in: 0..<1).eraseToAny()
    /// Names no key of the format has (those all start with a lowercase letter), some longer than any key may be.
    static let name: AnyGenerator<String> = Gen.letterOrNumber.string(of: 0...80).map { "Z" + $0 }.eraseToAny()

    static let junk: AnyGenerator<Junk> = weighted([
        (3, Gen.int(in: -3...20).map { Junk.integer($0) }.eraseToAny()),
        (2, Gen.int().map { Junk.integer($0) }.eraseToAny()),
        (1, element(["1e400", "-1e-400", "1.5", "-0", "0.0", "1E2", "99999999999999999999999999", "-9223372036854775809",
                     "18446744073709551616"].map { Junk.number($0) })),
        (2, Gen.letterOrNumber.string(of: 0...12).map { Junk.string($0) }.eraseToAny()),
        (1, element(["linear", "relu", "mse", "loss", "outer", "functional", "-", "", "1 2", "0x10",
                     "nonzero-minor-and-column-span", "hessian-rank-certificate"].map { Junk.string($0) })),
        (2, Gen.int(in: 20...100_000).map { Junk.digits($0) }.eraseToAny()),
        (2, Gen.int(in: 1...12).map { Junk.nested($0) }.eraseToAny()),
        (1, Gen.int(in: 1_000...200_000).map { Junk.nested($0) }.eraseToAny()),
        (1, Gen.int(in: 1...10).map { Junk.objects($0) }.eraseToAny()),
        (1, Gen.int(in: 0...200_000).map { Junk.zeros($0) }.eraseToAny()),
        (2, widths.map { Junk.widths($0) }.eraseToAny()),
        (1, element(["true", "false", "null", "{}", "[]", "[{}]", "[\"1\", [\"2\"]]"].map { Junk.literal($0) })),
    ])

    /// Architectures: near the certificate's, at and above the limits, and far beyond (their products overflow).
    static let widths: AnyGenerator<[Int]> = weighted([
        (2, Gen.int(in: 1...6).array(of: 2...5).eraseToAny()),
        (1, element([[300, 300], [100, 100], [1000, 1], [1001, 1], [20, 40, 5], [0, 2], [-4, 3, 2], [4], [],
                     [1 << 20, 1 << 20], [1 << 32, 1 << 32], [Int.max, Int.max], [Int](repeating: 1, count: 1_500)])),
        (1, Gen.int().array(of: 2...4).eraseToAny()),
    ])

    static let parameters: AnyGenerator<Int> = weighted([
        (1, Gen.int(in: 0...2_000).eraseToAny()),
        (1, Gen.int().eraseToAny()),
    ])

    static let fragment: AnyGenerator<String> = element([
        "]", "}", "{", "[", "\"", "\\", ",", ":", "\u{0}", "\u{7f}", "1e999", "-", "nul", "\"\\u12\"", "\\u0000",
        "[[[[[[[[", "é", "\"\": 1,", "\"zz\": [1, 2],",
    ])

    static let mutation: AnyGenerator<Mutation> = weighted([
        (2, pick.map { Mutation.delete(pick: $0) }.eraseToAny()),
        (2, zip(pick, name).map { Mutation.rename(pick: $0, to: $1) }.eraseToAny()),
        (1, pick.map { Mutation.repeatKey(pick: $0) }.eraseToAny()),
        (6, zip(pick, junk).map { Mutation.replace(pick: $0, with: $1) }.eraseToAny()),
        (2, zip(pick, name, junk).map { Mutation.add(pick: $0, name: $1, value: $2) }.eraseToAny()),
        (2, zip(widths, parameters).map { Mutation.architecture($0, parameters: $1) }.eraseToAny()),
        (1, zip(Gen.int(in: 1...6).array(of: 2...4), Gen.int(in: 1...8)).map { Mutation.resized($0, samples: $1) }.eraseToAny()),
        (2, fraction.map { Mutation.truncate($0) }.eraseToAny()),
        (3, zip(fraction, Gen.uint8()).map { Mutation.flip($0, $1) }.eraseToAny()),
        (2, zip(fraction, fragment).map { Mutation.splice($0, $1) }.eraseToAny()),
        (1, Gen.int(in: 0...2).map { Mutation.rewrite($0) }.eraseToAny()),
        (1, pick.map { Mutation.escapeKey(pick: $0) }.eraseToAny()),
    ])

    // MARK: applying a mutation

    enum Step: Hashable {
        case key(String)
        case index(Int)
    }

    /// Every value below the root (keys in sorted order, so that picks are reproducible).
    static func paths(_ value: Any, _ prefix: [Step] = []) -> [[Step]] {
        if let object = value as? [String: Any] {
            return object.keys.sorted().flatMap { key in [prefix + [.key(key)]] + paths(object[key]!, prefix + [.key(key)]) }
        }
        if let array = value as? [Any] {
            return array.indices.flatMap { index in [prefix + [.index(index)]] + paths(array[index], prefix + [.index(index)]) }
        }
        return []
    }

    /// `value` with `change` applied at `path` (a nil result removes the key or element).
    static func editing(_ value: Any, at path: ArraySlice<Step>, _ change: (Any) -> Any?) -> Any? {
        guard let step = path.first else { return change(value) }
        switch step {
        case .key(let key):
            var object = value as! [String: Any]
            object[key] = editing(object[key]!, at: path.dropFirst(), change)
            return object
        case .index(let index):
            var array = value as! [Any]
            if let new = editing(array[index], at: path.dropFirst(), change) { array[index] = new } else { array.remove(at: index) }
            return array
        }
    }

    /// Changes the object that holds the key at `path`.
    static func editingParent(_ root: Any, of path: [Step], _ change: (inout [String: Any], String) -> Void) -> Any {
        guard case .key(let key) = path.last else { preconditionFailure("not a key") }
        return editing(root, at: path.dropLast()[...]) { parent in
            var object = parent as! [String: Any]
            change(&object, key)
            return object
        }!
    }

    static func serialize(_ value: Any, pretty: Bool = true) -> String {
        let options: JSONSerialization.WritingOptions = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return String(decoding: try! JSONSerialization.data(withJSONObject: value, options: options), as: UTF8.self)
    }

    /// Stands for a value or key in the serialized text until it is replaced by text JSONSerialization cannot write.
    static let placeholder = "@@placeholder@@"

    /// The certificate to mutate, with what the picks choose from.
    struct Target {
        let root: Any
        /// Every value, every key, every object (the root first), as paths.
        let all: [[Step]]
        let keys: [[Step]]
        let objects: [[Step]]
        /// The certificate as the producer writes it (pretty-printed, keys sorted).
        let text: String

        init(_ data: Data) throws {
            root = try JSONSerialization.jsonObject(with: data)
            all = paths(root)
            keys = all.filter { if case .key = $0.last { true } else { false } }
            objects = [[]] + all.filter { [root] path in editingValue(root, path) is [String: Any] }
            text = serialize(root)
        }
    }

    static func apply(_ mutation: Mutation, to target: Target) -> Data {
        let (root, all, keys, objects, text) = (target.root, target.all, target.keys, target.objects, target.text)
        func placed(_ value: Any, _ replacement: String) -> Data {
            Data(serialize(value).replacingOccurrences(of: "\"\(placeholder)\"", with: replacement).utf8)
        }
        func at(_ fraction: Double) -> Int { Int(fraction * Double(text.utf8.count)) }
        switch mutation {
        case .delete(let pick):
            return Data(serialize(editing(root, at: all[pick % all.count][...]) { _ in nil }!).utf8)
        case .rename(let pick, let name):
            return Data(serialize(editingParent(root, of: keys[pick % keys.count]) { o, key in
                o[name] = o.removeValue(forKey: key)
            }).utf8)
        case .repeatKey(let pick):
            var repeated = ""
            let edited = editingParent(root, of: keys[pick % keys.count]) { o, key in
                o[placeholder] = o[key]
                repeated = key
            }
            return placed(edited, "\"\(repeated)\"")
        case .replace(let pick, let junk):
            return placed(editing(root, at: all[pick % all.count][...]) { _ in placeholder }!, junk.text)
        case .add(let pick, let name, let junk):
            let edited = editing(root, at: objects[pick % objects.count][...]) { object in
                var o = object as! [String: Any]
                o[name] = placeholder
                return o
            }!
            return placed(edited, junk.text)
        case .architecture(let widths, let parameters):
            // A convolutional network's sizes are its input's.
            let key = ((root as! [String: Any])["network"] as! [String: Any])["layers"] == nil ? "architecture" : "input"
            var edited = editing(root, at: [.key("network"), .key(key)]) { _ in widths }!
            edited = editing(edited, at: [.key("parameters")]) { _ in parameters }!
            return Data(serialize(edited).utf8)
        case .resized(let widths, let n):
            var object = root as! [String: Any]
            var network = object["network"] as! [String: Any]
            let ones = { (rows: Int, columns: Int) in [[String]](repeating: [String](repeating: "1", count: columns), count: rows) }
            let (first, last) = (widths[0], widths[widths.count - 1])
            if network["layers"] != nil {
                // A convolutional network: input 1 x (w_0 + 2), conv:w_1:3 (w_0 positions), dense:K.
                let channels = widths.count > 2 ? widths[1] : 1
                network["input"] = [1, first + 2]
                network["layers"] = [["kind": "conv", "outChannels": channels, "kernel": 3, "stride": 1, "padding": "valid", "bias": false],
                                     ["kind": "dense", "outputs": last, "bias": false]] as [[String: Any]]
                let p = 3 * channels + last * channels * first
                network["theta"] = [String](repeating: "1", count: p)
                network["x"] = ones(n, first + 2)
                object["parameters"] = p
            } else {
                network["architecture"] = widths
                network["weights"] = (0..<(widths.count - 1)).map { ones(widths[$0 + 1], widths[$0]) }
                network["x"] = ones(n, first)
                object["parameters"] = parameterCount(widths)
            }
            network["y"] = [[String]](repeating: [String](repeating: "0", count: last), count: n)
            object["network"] = network
            object["samples"] = n
            object["inputsDigest"] = try! CanonicalJSON.digest(network)
            object.removeValue(forKey: "certificateDigest")
            object["certificateDigest"] = try! CanonicalJSON.digest(object)
            return Data(serialize(object, pretty: false).utf8)
        case .truncate(let fraction):
            return Data(text.utf8.prefix(at(fraction)))
        case .flip(let fraction, let byte):
            var bytes = Data(text.utf8)
            bytes[at(fraction)] = byte
            return bytes
        case .splice(let fraction, let fragment):
            var bytes = Data(text.utf8)
            bytes.insert(contentsOf: Data(fragment.utf8), at: at(fraction))
            return bytes
        case .rewrite(let style):
            let compact = serialize(root, pretty: false)
            switch style {
            case 0: return Data(compact.utf8)
            case 1: return Data(text.utf8)
            default:
                // The certificate's strings hold no ',' or ':', so these are all structural.
                return Data(compact.replacingOccurrences(of: ",", with: " ,\n\t ").replacingOccurrences(of: ":", with: " :\r\n").utf8)
            }
        case .escapeKey(let pick):
            var escaped = ""
            let edited = editingParent(root, of: keys[pick % keys.count]) { o, key in
                o[placeholder] = o.removeValue(forKey: key)
                let first = key.unicodeScalars.first!.value
                escaped = "\"\\u" + String(repeating: "0", count: 4 - String(first, radix: 16).count) + String(first, radix: 16)
                    + String(key.dropFirst()) + "\""
            }
            return placed(edited, escaped)
        }
    }

    /// p, summed here for the small widths the mutations use.
    static func parameterCount(_ widths: [Int]) -> Int { zip(widths, widths.dropFirst()).map { $0 * $1 }.reduce(0, +) }

    static func editingValue(_ root: Any, _ path: [Step]) -> Any {
        path.reduce(root) { value, step in
            switch step {
            case .key(let key): (value as! [String: Any])[key]!
            case .index(let index): (value as! [Any])[index]
            }
        }
    }

    /// The JSON value of a text, written canonically (sorted keys, compact), or nil if it is not JSON.
    static func canonical(_ data: Data) -> Data? {
        guard let value = try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed) else { return nil }
        return try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }

    // MARK: the property

    /// The seed corpus: a dense certificate (format version 2) and a convolutional one (version 3: input 1x6,
    /// conv:2:3, dense:2, N = 3).
    static func seed(_ name: String) throws -> Data {
        name == "dense" ? try CertificateTests.certificate([4, 3, 2], samples: 5) : try ConvolutionCertificateTests.small()
    }

    @Test(arguments: ["dense", "convolutional"])
    func mutatedCertificatesAreRefusedCleanlyOrUnchanged(corpus: String) throws {
        let valid = try Self.seed(corpus)
        let target = try Target(valid)
        let original = try #require(Self.canonical(valid))
        var random = Xoshiro(seed: (0x6865_7373, 0x6961_6e2d, 0x7261_6e6b, 0x6675_7a7a))
        var counts: [String: Int] = [:]
        for _ in 0..<1_500 {
            let mutation = Self.mutation.run(using: &random)
            let data = Self.apply(mutation, to: target)
            let reason = CertificateTests.reason(data)
            counts[reason.map { String($0.prefix(24)) } ?? "valid", default: 0] += 1
            if let reason {
                #expect(!reason.isEmpty && reason.count <= 400 && !reason.unicodeScalars.contains { $0.value < 0x20 },
                        "\(mutation): the reason must be one short line, got \(reason.debugDescription)")
            } else {
                #expect(Self.canonical(data) == original, "\(mutation): accepted, but the certificate changed")
            }
            // Outcomes decided by the mutation itself.
            switch mutation {
            case .rewrite, .escapeKey:
                #expect(reason == nil, "\(mutation) leaves the certificate as it was, but it was refused: \(reason ?? "")")
            case .rename, .add:
                #expect(reason?.hasPrefix("unknown key") == true, "\(mutation): \(reason ?? "accepted")")
            case .repeatKey:
                #expect(reason?.hasPrefix("key \"") == true && reason?.contains("\" appears twice") == true,
                        "\(mutation): \(reason ?? "accepted")")
            case .truncate:
                #expect(reason?.hasPrefix("malformed JSON: ") == true, "\(mutation): \(reason ?? "accepted")")
            case .delete:
                #expect(reason != nil, "\(mutation): accepted")
            case .resized:
                // Another network with the old witnesses: its minor has another determinant (or is out of range).
                #expect(reason != nil, "\(mutation): accepted")
            case .replace, .architecture, .flip, .splice:
                break
            }
        }
        // The draw reaches many different reasons, and accepts the rewrites.
        #expect(counts.count >= 25, "\(counts)")
        #expect(counts["valid", default: 0] >= 50, "\(counts)")
    }
}
