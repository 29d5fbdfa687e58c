// Strict, typed reading of a JSON object: every missing or mistyped field is a failure that names the field.
import Foundation
import HessianReference

struct Fields {
    let object: [String: Any]
    let path: String

    init(_ object: [String: Any], path: String) {
        self.object = object
        self.path = path
    }

    func value(_ key: String) throws(CertificateCheck.Failure) -> Any {
        guard let value = object[key] else { throw CertificateCheck.Failure("missing field \(path)\(key)") }
        return value
    }

    func int(_ key: String) throws(CertificateCheck.Failure) -> Int {
        guard let integer = Self.integer(try value(key)) else { throw CertificateCheck.Failure("\(path)\(key) must be an integer") }
        return integer
    }

    func string(_ key: String) throws(CertificateCheck.Failure) -> String {
        guard let text = try value(key) as? String else { throw CertificateCheck.Failure("\(path)\(key) must be a string") }
        return text
    }

    func object(_ key: String) throws(CertificateCheck.Failure) -> [String: Any] {
        guard let object = try value(key) as? [String: Any] else { throw CertificateCheck.Failure("\(path)\(key) must be an object") }
        return object
    }

    func array(_ key: String) throws(CertificateCheck.Failure) -> [Any] {
        guard let array = try value(key) as? [Any] else { throw CertificateCheck.Failure("\(path)\(key) must be an array") }
        return array
    }

    /// A JSON true or false (not 0 or 1: JSONSerialization gives NSNumber for both, and only a boolean's type is "c").
    func bool(_ key: String) throws(CertificateCheck.Failure) -> Bool {
        guard let number = try value(key) as? NSNumber, String(cString: number.objCType) == "c" else {
            throw CertificateCheck.Failure("\(path)\(key) must be true or false")
        }
        return number.boolValue
    }

    func integers(_ key: String) throws(CertificateCheck.Failure) -> [Int] {
        let items = try array(key)
        return try items.enumerated().map { (index, item) throws(CertificateCheck.Failure) in
            guard let integer = Self.integer(item) else {
                throw CertificateCheck.Failure("\(path)\(key)[\(index)] must be an integer")
            }
            return integer
        }
    }

    /// A matrix of decimal strings, as Int128.
    func decimalMatrix(_ key: String) throws(CertificateCheck.Failure) -> [[Int128]] {
        try Self.decimalMatrix(try value(key), name: path + key)
    }

    static func decimalMatrix(_ value: Any, name: String) throws(CertificateCheck.Failure) -> [[Int128]] {
        guard let rows = value as? [Any] else { throw CertificateCheck.Failure("\(name) must be an array of rows") }
        return try rows.enumerated().map { (i, row) throws(CertificateCheck.Failure) in
            guard let entries = row as? [Any] else { throw CertificateCheck.Failure("\(name)[\(i)] must be an array") }
            return try entries.enumerated().map { (j, entry) throws(CertificateCheck.Failure) in
                try decimal(entry, name: "\(name)[\(i)][\(j)]")
            }
        }
    }

    /// A vector of decimal strings, as Int128.
    static func decimalVector(_ value: Any, name: String) throws(CertificateCheck.Failure) -> [Int128] {
        guard let entries = value as? [Any] else { throw CertificateCheck.Failure("\(name) must be an array") }
        return try entries.enumerated().map { (i, entry) throws(CertificateCheck.Failure) in try decimal(entry, name: "\(name)[\(i)]") }
    }

    /// One decimal string, as Int128, its digits counted before it is converted.
    static func decimal(_ entry: Any, name: String) throws(CertificateCheck.Failure) -> Int128 {
        guard let text = entry as? String, isDecimal(text) else {
            throw CertificateCheck.Failure("\(name) must be a decimal integer string")
        }
        let digits = text.utf8.count - (text.hasPrefix("-") ? 1 : 0)
        guard digits <= CertificateCheck.Limits.decimalDigits else {
            throw CertificateCheck.Failure("\(name) has \(digits) digits, above the checker's limit of \(CertificateCheck.Limits.decimalDigits) (2^127 has 39)")
        }
        guard let value = Int128(text) else {
            throw CertificateCheck.Failure("\(name) = \(text) exceeds the checker's 127-bit range")
        }
        return value
    }

    static func isDecimal(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// JSONSerialization gives NSNumber for integers, floats and booleans alike; accept only values parsed as signed
    /// integers (not true, not 1.0, not 1e2).
    static func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, ["s", "i", "l", "q"].contains(String(cString: number.objCType)) else { return nil }
        return number.intValue
    }
}

/// The network section: widths, activation, loss, weights, biases (optional), data and targets. The sizes are checked
/// against the limits (p from the widths and whether `biases` is present, N from the rows of the data) before any entry
/// is converted or any matrix built.
enum NetworkReader {
    typealias Failure = CertificateCheck.Failure

    /// The network, its activation, and the activation's text in its one canonical form ("leaky-relu:a" for b = 1).
    static func read(_ fields: Fields) throws(Failure) -> (network: ReferenceNetwork, activation: ReferenceActivation, name: String) {
        let widths = try fields.integers("architecture")
        guard widths.count >= 2, widths.allSatisfy({ $0 >= 1 }) else {
            throw Failure("network.architecture must list at least two positive widths")
        }
        let bias = fields.object["biases"] != nil
        let p = try CertificateCheck.Limits.parameterCount(widths, bias: bias)
        let (activation, name) = try Self.activation(try fields.string("activation"))
        guard try fields.string("loss") == "mse" else {
            throw Failure("network.loss: only \"mse\" is certified by this version")
        }
        let samples = max(try fields.array("x").count, try fields.array("y").count)
        try CertificateCheck.Limits.checkData(samples: samples, inputWidth: widths[0], outputWidth: widths[widths.count - 1],
                                              parameters: p)
        let weights = try fields.array("weights").enumerated().map { (index, value) throws(Failure) in
            try Fields.decimalMatrix(value, name: "network.weights[\(index)]")
        }
        let biases = bias ? try Self.biases(fields, widths: widths) : nil
        let (x, y) = (try fields.decimalMatrix("x"), try fields.decimalMatrix("y"))
        do {
            return (try ReferenceNetwork(widths: widths, weights: weights, biases: biases, samples: x, targets: y), activation, name)
        } catch {
            switch error {
            case .mismatch(let message): throw Failure("network: shapes do not match the architecture: \(message)")
            }
        }
    }

    /// `network.biases`: one array of decimal strings per layer, b_t with widths[t+1] entries, its shape checked before
    /// any entry is converted. Present only for a network with biases, so never empty.
    static func biases(_ fields: Fields, widths: [Int]) throws(Failure) -> [[Int128]] {
        let vectors = try fields.array("biases")
        let layers = widths.count - 1
        guard !vectors.isEmpty else {
            throw Failure("network.biases is empty: a network with biases lists one vector per layer (\(layers)), and a bias-free network has no biases key")
        }
        guard vectors.count == layers else {
            throw Failure("network.biases has \(vectors.count) vectors but the architecture has \(layers) layers, each with its bias vector")
        }
        for (t, vector) in vectors.enumerated() {
            guard let entries = vector as? [Any] else { throw Failure("network.biases[\(t)] must be an array") }
            guard entries.count == widths[t + 1] else {
                throw Failure("network.biases[\(t)] has \(entries.count) entries but layer \(t + 1) has \(widths[t + 1]) units")
            }
        }
        return try Fields.decimalMatrix(vectors, name: "network.biases")
    }

    /// "linear", "relu", "leaky-relu:a/b" or "leaky-relu:a" (b = 1): a and b decimal integers without a sign (but a's
    /// minus) or leading zeros, the slope a/b in lowest terms, 1 <= b <= 2^16, |a| <= 2^16, a/b != 1.
    static func activation(_ text: String) throws(Failure) -> (ReferenceActivation, String) {
        switch text {
        case "linear": return (.linear, text)
        case "relu": return (.relu, text)
        default: break
        }
        let prefix = "leaky-relu:"
        guard text.hasPrefix(prefix) else {
            throw Failure("network.activation: \"\(text)\" is not certified by this version (\"linear\", \"relu\" or \"leaky-relu:a/b\")")
        }
        func refuse(_ why: String) -> Failure { Failure("network.activation: \"\(text)\": \(why)") }
        let parts = text.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        func canonical(_ digits: Substring, signed: Bool) -> Bool {
            let body = signed && digits.hasPrefix("-") ? digits.dropFirst() : digits
            return !body.isEmpty && body.count <= 6 && body.allSatisfy { $0.isASCII && $0.isNumber }
                && (body == "0" ? body.count == digits.count : body.first != "0")
        }
        guard (1...2).contains(parts.count), canonical(parts[0], signed: true), parts.count == 1 || canonical(parts[1], signed: false) else {
            throw refuse("the slope must be a or a/b with decimal integers (e.g. \"leaky-relu:1/8\", \"leaky-relu:-2\")")
        }
        let a = Int(parts[0])!, b = parts.count == 2 ? Int(parts[1])! : 1
        let limit = ReferenceActivation.maximumSlopeTerm
        guard b >= 1 else { throw refuse("the denominator must be at least 1") }
        guard a.magnitude <= limit, b <= limit else { throw refuse("|a| and b must be at most \(limit)") }
        guard a != b else { throw refuse("the slope is 1, which is the linear activation (\"linear\")") }
        let activation = ReferenceActivation.leakyReLU(numerator: a, denominator: b)
        guard activation.isValid else { throw refuse("the slope \(a)/\(b) is not in lowest terms") }
        return (activation, b == 1 ? "\(prefix)\(a)" : "\(prefix)\(a)/\(b)")
    }
}
