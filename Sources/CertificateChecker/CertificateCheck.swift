// The certificate checker: `hessian-rank check-certificate FILE`.
//
// It trusts nothing the producer computed. It reads the network (with or without biases), data and targets from the
// file, rebuilds the Hessians by the direct route (HessianReference: per-sample automatic differentiation in Int128, for
// linear networks and, away from kinks, ReLU and leaky-ReLU networks; never the producer's structured path; for a
// linear convolutional network, format version 3, the direct route on its unrolled dense network pulled back to theta,
// the layer list read and validated by the checker's own `ConvolutionalShape`), and
// checks, for each claimed rank rho, on the integer Hessian H the direct route returns (for a leaky slope a/b,
// b^(2(L-1)) times the true Hessian: same rank, and the witnesses are stated for it):
// - lower bound: the rho x rho submatrix H[rows, columns] has the stated nonzero determinant modulo the stated prime
//   (checked with our own elimination). A minor nonzero mod p is a nonzero integer, so rank H >= rho.
// - upper bound: every column of H is a rational combination of the witness columns. The checker solves
//   H[rows, columns] X = den H[rows, others] exactly (FLINT's Dixon p-adic solver, whose answer is not trusted) and
//   verifies den != 0 and H[:, columns] X = den H[:, others] over all rows in exact integer arithmetic (den = 0, X = 0
//   would satisfy the identity vacuously); then the column space has dimension <= rho. (Equivalently, the n - rho vectors (-X[:, j]; den e_j) are kernel vectors, independent
//   because each has its own nonzero coordinate: a kernel certificate (proofs/exact-rank-method.md), rebuilt rather
//   than stored, since stored kernel vectors would take thousands of bits per entry.)
// Integrity: `inputsDigest` binds the network (activation, weights, biases), data and targets; `certificateDigest`
// binds everything else. Both are SHA-256 of canonical JSON. The checks run in the order of the reasons below and stop
// at the first failure.
//
// Limits (`Limits`, each argued there). The checker refuses as invalid, before allocating anything that grows with it:
// - a file above 64 MiB, before reading it;
// - before parsing any value: a key the format does not have (or one key twice), nesting deeper than 5 levels, a string
//   above 64 bytes, a number above 19 characters or not an integer, more JSON values than a certificate within these
//   limits holds (1,034,100);
// - before building any matrix: more than 1,001 widths, p above 1,000 (biases included; certify's limit; it bounds
//   every width), N above 10,000 samples, N (d + K) above 10^6 data entries, a rebuild of more than 2 * 10^9
//   multiply-adds (N p^2 (K + 8) / 2), a decimal entry of more than 39 digits; for a convolutional network also more
//   than 1,000 layers and an unrolled network of more than 3,000 parameters p_u, and the rebuild's work is counted
//   in p_u (N p_u^2 (K + 8) / 2).
import Foundation
import HessianReference
import SHA256Digest

public enum CertificateCheck {
    /// The newest format this checker reads; it reads every earlier one too (version 1 has no proven-statement
    /// witnesses; version 2 no convolutional networks).
    public static let formatVersion = 3
    public static let type = "hessian-rank-certificate"

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    public struct PartSummary: Sendable, Equatable {
        public let part: String
        public let rank: Int
        /// The proven statement that closed the upper bound, and its basis ("proved here" or "cited"); nil when the
        /// exact column span did.
        public let statement: String?
        public let basis: String?

        public init(part: String, rank: Int, statement: String? = nil, basis: String? = nil) {
            self.part = part
            self.rank = rank
            self.statement = statement
            self.basis = basis
        }
    }

    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        public let architecture: [Int]
        /// "linear", "relu" or "leaky-relu:a/b" ("leaky-relu:a" when b = 1).
        public let activation: String
        /// Whether every layer has a bias.
        public let bias: Bool
        public let samples: Int
        public let parameters: Int
        public let parts: [PartSummary]
        /// A convolutional network's input and layers ("input 1x6x6, layers conv:2:3:same,dense:3"); nil for a dense
        /// network. `architecture` is then the unrolled network's widths (flattened sizes).
        public let convolution: String?

        init(architecture: [Int], activation: String, bias: Bool, samples: Int, parameters: Int, parts: [PartSummary],
             convolution: String? = nil) {
            self.architecture = architecture
            self.activation = activation
            self.bias = bias
            self.samples = samples
            self.parameters = parameters
            self.parts = parts
            self.convolution = convolution
        }

        public var description: String {
            let ranks = parts.map { "rank \(symbol($0.part)) = \($0.rank)" }.joined(separator: ", ")
            let statements = parts.compactMap { part in
                part.statement.map { "\(symbol(part.part)) by `\($0)` (\(part.basis ?? ""))" }
            }
            let upper = statements.isEmpty ? "both witnesses checked exactly on the rebuilt Hessians"
                : "each nonzero minor checked exactly on the rebuilt Hessians; upper bounds: "
                    + statements.joined(separator: ", ") + ", proven statements recomputed from the network "
                    + "(proofs/upper-bounds.md)" + (statements.count < parts.count ? "; the others by the exact column span" : "")
            let what = convolution.map { "the convolutional network \($0)" }
                ?? "\(network)widths \(architecture.map(String.init).joined(separator: ","))"
            return "valid: \(ranks) for \(what) (p = \(parameters), N = \(samples)); \(upper)"
        }
        /// "" (bias-free linear), "the ReLU network with ", "the leaky-ReLU network (slope 1/8) with bias, ", ...
        var network: String {
            let name: String
            switch activation {
            case "linear": name = bias ? "the linear network" : ""
            case "relu": name = "the ReLU network"
            default: name = "the leaky-ReLU network (slope \(activation.dropFirst("leaky-relu:".count)))"
            }
            if name.isEmpty { return "" }
            return bias ? name + " with bias, " : name + " with "
        }
        func symbol(_ part: String) -> String { ["loss": "H_L", "outer": "H_O", "functional": "H_F"][part] ?? part }
    }

    /// Checks a certificate given as the bytes of its file.
    public static func check(_ data: Data) throws(Failure) -> Summary {
        guard data.count <= Limits.fileBytes else { throw Limits.fileTooLarge(data.count) }
        try Preflight.check(data)
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw Failure("malformed JSON: the top level is not an object")
            }
            root = object
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("malformed JSON: \(error.localizedDescription)")
        }
        let fields = Fields(root, path: "")
        guard root["formatVersion"] != nil else { throw Failure("missing formatVersion: not a HessianRank certificate") }
        let version = try fields.int("formatVersion")
        guard version >= 1 && version <= formatVersion else { throw unknownVersion(version) }
        guard try fields.string("type") == type else { throw Failure("type must be \"\(type)\"") }
        // Not interpreted, but bound by certificateDigest: they must have the format's types.
        for key in ["generator", "flintVersion", "seed"] { _ = try fields.string(key) }

        let networkObject = try fields.object("network")
        let networkFields = Fields(networkObject, path: "network.")
        // A dense network (every version), or from version 3 a convolutional one (input, layers, theta).
        let read: Network
        if let key = ConvolutionalNetworkReader.keys.first(where: { networkObject[$0] != nil }) {
            guard version >= 3 else {
                throw Failure("network.\(key): a convolutional network (input, layers, theta) needs format version 3; this file is version \(version)")
            }
            let (network, shape) = try ConvolutionalNetworkReader.read(networkFields)
            read = Network(samples: network.unrolled.samples.count, parameters: network.parameterCount, dense: nil,
                           activation: .linear, activationName: "linear", convolution: (network, shape))
        } else {
            let (network, activation, activationName) = try NetworkReader.read(networkFields)
            read = Network(samples: network.samples.count, parameters: network.parameterCount, dense: network,
                           activation: activation, activationName: activationName, convolution: nil)
        }
        guard try fields.int("samples") == read.samples else {
            throw Failure("samples is \(try fields.int("samples")) but the data has \(read.samples) rows")
        }
        let p = read.parameters
        guard try fields.int("parameters") == p else {
            throw Failure("parameters is \(try fields.int("parameters")) but the \(read.convolution == nil ? "architecture" : "layers") \(read.convolution == nil ? "has" : "have") p = \(p)")
        }
        guard try fields.string("inputsDigest") == (try digest(networkObject)) else {
            throw Failure("the network, data or targets changed after certification (inputsDigest does not match)")
        }

        let hessians: DirectHessian.Result
        do {
            if let convolution = read.convolution {
                hessians = try DirectHessian.compute(convolution.network, activation: read.activation)
            } else {
                hessians = try DirectHessian.compute(read.dense!, activation: read.activation)
            }
        } catch {
            throw Failure("cannot rebuild the Hessians: \(error)")
        }

        let partObjects = try fields.array("parts")
        guard !partObjects.isEmpty else { throw Failure("parts is empty: the certificate claims nothing") }
        var seen = Set<String>()
        var summaries: [PartSummary] = []
        for (index, value) in partObjects.enumerated() {
            guard let object = value as? [String: Any] else { throw Failure("parts[\(index)] is not an object") }
            let part = Fields(object, path: "parts[\(index)].")
            let name = try part.string("part")
            let matrix: [Int128]
            switch name {
            case "loss": matrix = hessians.loss
            case "outer": matrix = hessians.outer
            case "functional": matrix = hessians.functional
            default: throw Failure("parts[\(index)].part: unknown Hessian part \"\(name)\" (loss, outer or functional)")
            }
            guard seen.insert(name).inserted else { throw Failure("parts[\(index)]: part \"\(name)\" appears twice") }
            let rank = try part.int("rank")
            let bound = try RankWitness.check(Fields(try part.object("witness"), path: "parts[\(index)].witness."),
                                              rank: rank, matrix: matrix, size: p, part: name, formatVersion: version,
                                              network: read.dense, activation: read.activation)
            summaries.append(PartSummary(part: name, rank: rank, statement: bound?.statement, basis: bound?.basis.rawValue))
        }

        var unsigned = root
        unsigned.removeValue(forKey: "certificateDigest")
        guard try fields.string("certificateDigest") == (try digest(unsigned)) else {
            throw Failure("the certificate changed after it was written (certificateDigest does not match)")
        }
        if let convolution = read.convolution {
            return Summary(architecture: convolution.network.unrolled.widths, activation: read.activationName,
                           bias: convolution.shape.layers.allSatisfy(\.bias), samples: read.samples, parameters: p,
                           parts: summaries, convolution: convolution.shape.description)
        }
        return Summary(architecture: read.dense!.widths, activation: read.activationName, bias: read.dense!.hasBias,
                       samples: read.samples, parameters: p, parts: summaries)
    }

    /// The network a certificate describes: dense (`dense`) or convolutional (`convolution`, with the shape the
    /// checker read), with what the checks need of either.
    struct Network {
        let samples: Int
        let parameters: Int
        let dense: ReferenceNetwork?
        let activation: ReferenceActivation
        let activationName: String
        let convolution: (network: ReferenceConvolutionalNetwork, shape: ConvolutionalShape)?
    }

    static func unknownVersion(_ version: Int) -> Failure {
        Failure("unknown format version \(version) (this checker reads versions 1 to \(formatVersion))")
    }

    static func digest(_ value: Any) throws(Failure) -> String {
        do { return try CanonicalJSON.digest(value) } catch { throw Failure("cannot serialise for the digest: \(error)") }
    }
}
