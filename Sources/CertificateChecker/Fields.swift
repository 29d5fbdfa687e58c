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
                guard let text = entry as? String, isDecimal(text) else {
                    throw CertificateCheck.Failure("\(name)[\(i)][\(j)] must be a decimal integer string")
                }
                let digits = text.utf8.count - (text.hasPrefix("-") ? 1 : 0)
                guard digits <= CertificateCheck.Limits.decimalDigits else {
                    throw CertificateCheck.Failure("\(name)[\(i)][\(j)] has \(digits) digits, above the checker's limit of \(CertificateCheck.Limits.decimalDigits) (2^127 has 39)")
                }
                guard let value = Int128(text) else {
                    throw CertificateCheck.Failure("\(name)[\(i)][\(j)] = \(text) exceeds the checker's 127-bit range")
                }
                return value
            }
        }
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

/// The network section: widths, activation, loss, weights, data and targets. The sizes are checked against the limits
/// (p from the widths, N from the rows of the data) before any entry is converted or any matrix built.
enum NetworkReader {
    static func read(_ fields: Fields) throws(CertificateCheck.Failure) -> (network: ReferenceNetwork, activation: ReferenceActivation) {
        let widths = try fields.integers("architecture")
        guard widths.count >= 2, widths.allSatisfy({ $0 >= 1 }) else {
            throw CertificateCheck.Failure("network.architecture must list at least two positive widths")
        }
        let p = try CertificateCheck.Limits.parameterCount(widths)
        let activation: ReferenceActivation
        switch try fields.string("activation") {
        case "linear": activation = .linear
        case "relu": activation = .relu
        case let other:
            throw CertificateCheck.Failure("network.activation: \"\(other)\" is not certified by this version (\"linear\" or \"relu\")")
        }
        guard try fields.string("loss") == "mse" else {
            throw CertificateCheck.Failure("network.loss: only \"mse\" is certified by this version")
        }
        let samples = max(try fields.array("x").count, try fields.array("y").count)
        try CertificateCheck.Limits.checkData(samples: samples, inputWidth: widths[0], outputWidth: widths[widths.count - 1],
                                              parameters: p)
        let weights = try fields.array("weights").enumerated().map { (index, value) throws(CertificateCheck.Failure) in
            try Fields.decimalMatrix(value, name: "network.weights[\(index)]")
        }
        let (x, y) = (try fields.decimalMatrix("x"), try fields.decimalMatrix("y"))
        do {
            return (try ReferenceNetwork(widths: widths, weights: weights, samples: x, targets: y), activation)
        } catch {
            switch error {
            case .mismatch(let message): throw CertificateCheck.Failure("network: shapes do not match the architecture: \(message)")
            }
        }
    }
}
