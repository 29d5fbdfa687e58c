// A rank certificate: the network, data and targets as exact integers, and for each Hessian part a claimed rank with
// the witnesses that prove it (format in docs/certificates.md; checked by CertificateChecker, which
// never calls this code).
//
// How the witnesses are found. Modulo a random 63-bit prime p, the pivot columns C of the reduced row echelon form
// are a basis of the column space of H mod p. H is symmetric, so the rows C are independent too and H[C, C] is
// nonsingular mod p: its determinant mod p is the lower-bound witness (rank H >= |C|). The upper bound, that every
// column lies in the span of the columns C over Q, holds unless p was unlucky (rank mod p below the rank over Q);
// the checker decides it exactly, and `certify` runs the checker before writing and retries with a new prime.
// With `UpperBoundWitness.provenStatement`, a part whose rank meets a bound proven at every point (proofs/upper-bounds.md)
// names that statement instead (format version 2); the checker recomputes the bound from the network and accepts
// only statements the formula module gives for that network and part. A linear convolutional network's certificate
// (format version 3) has its own network section (input, layers, theta) and span witnesses only.
import ExactAlgebra
import Foundation
import HessianAnalysis
import HessianConstructions
import HessianStudies
import NetworkModel
import RankFormulas
import SHA256Digest

public struct Certificate: Codable, Sendable {
    /// The version of a dense network's certificate (unchanged since convolutional networks were added).
    public static let formatVersion = 2
    /// The version of a convolutional network's certificate: version 2 with `ConvolutionalNetwork` as the network.
    public static let convolutionalFormatVersion = 3
    public static let type = "hessian-rank-certificate"
    public static let witnessMethod = "nonzero-minor-and-column-span"
    public static let statementWitnessMethod = "nonzero-minor-and-proven-bound"

    public struct Network: Codable, Sendable {
        public let activation: String
        public let architecture: [Int]
        public let loss: String
        public let weights: [[[String]]]
        /// b_1 ... b_L as flat lists, present when the network has biases (parameters per layer: W_t, then b_t).
        public let biases: [[String]]?
        public let x: [[String]]
        public let y: [[String]]
    }

    /// A linear convolutional network (format version 3): the input's shape [C, n] or [C, h, w], the layers, theta in
    /// PyTorch's order (proofs/convolution.md), the data flattened channel-major as torch.flatten, and the targets.
    public struct ConvolutionalNetwork: Codable, Sendable {
        public let activation: String
        public let input: [Int]
        public let layers: [Layer]
        public let loss: String
        public let theta: [String]
        public let x: [[String]]
        public let y: [[String]]

        /// {"kind": "conv", "outChannels", "kernel", "stride", "padding": "same" or "valid", "bias"} or {"kind":
        /// "dense", "outputs", "bias"}: the keys of the other kind are absent.
        public struct Layer: Codable, Sendable {
            public let kind: String
            public let outChannels: Int?
            public let kernel: Int?
            public let stride: Int?
            public let padding: String?
            public let outputs: Int?
            public let bias: Bool

            init(_ layer: LayerSpec) {
                switch layer {
                case .convolution(let c):
                    (kind, outChannels, kernel, stride, padding, outputs, bias) =
                        ("conv", c.outChannels, c.kernel, c.stride, c.samePadding ? "same" : "valid", nil, c.bias)
                case let .dense(count, layerBias):
                    (kind, outChannels, kernel, stride, padding, outputs, bias) = ("dense", nil, nil, nil, nil, count, layerBias)
                }
            }
        }
    }

    /// The network section: a dense network (format versions 1 and 2) or a convolutional one (version 3), encoded as
    /// its payload.
    public enum NetworkSection: Codable, Sendable {
        case dense(Network)
        case convolutional(ConvolutionalNetwork)

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .dense(let network): try container.encode(network)
            case .convolutional(let network): try container.encode(network)
            }
        }

        public init(from decoder: any Decoder) throws {
            enum Keys: String, CodingKey { case layers }
            let isConvolutional = try decoder.container(keyedBy: Keys.self).contains(.layers)
            let container = try decoder.singleValueContainer()
            self = isConvolutional ? .convolutional(try container.decode(ConvolutionalNetwork.self))
                : .dense(try container.decode(Network.self))
        }
    }

    public struct Witness: Codable, Sendable {
        public let method: String
        /// Decimal string: a prime below 2^64.
        public let prime: String
        public let rows: [Int]
        public let columns: [Int]
        /// det H[rows, columns] mod prime, nonzero, as a decimal string.
        public let determinantResidue: String
        /// With `statementWitnessMethod`: the id of the proven upper bound (proofs/upper-bounds.md) that the rank meets.
        public var statement: String?
    }

    public struct Part: Codable, Sendable {
        public let part: String
        public let rank: Int
        public let witness: Witness
    }

    public let formatVersion: Int
    public let type: String
    public let generator: String
    public let flintVersion: String
    public let seed: String
    public let samples: Int
    public let parameters: Int
    public let network: NetworkSection
    public let inputsDigest: String
    public let parts: [Part]
    public var certificateDigest: String?

    /// The pretty-printed file, with `certificateDigest` filled in.
    public func fileData() throws -> Data {
        var unsigned = self
        unsigned.certificateDigest = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let object = try JSONSerialization.jsonObject(with: try encoder.encode(unsigned))
        var signed = self
        signed.certificateDigest = try CanonicalJSON.digest(object)
        return try encoder.encode(signed)
    }
}

/// How a certificate shows each rank's upper bound.
public enum UpperBoundWitness: String, Sendable, CaseIterable {
    /// The exact column span of the witness minor's columns: needs no theorem.
    case span
    /// A bound proven at every point, where the rank meets one (proved here or cited); the span otherwise.
    case provenStatement = "statement"
}

public enum CertificateBuilder {
    /// Builds the certificate of `parts` for `problem` with hidden activation `activation` (piecewise linear; on a kink
    /// it throws `PiecewiseLinearHessian.Kink`), with one witness prime per part from `witnessPrime`
    /// (by default from the system's entropy: a prime fixed in advance could divide the witness minor of data chosen
    /// for it; the certificate is checked either way, so the prime decides only whether certification succeeds).
    public static func build(_ problem: Problem, seed: UInt64, parts: [HessianPart], activation: Activation = .linear,
                             upperBound: UpperBoundWitness = .span,
                             witnessPrime: () -> UInt = Primes.fromSystemEntropy) throws -> Certificate {
        let network = Certificate.Network(
            activation: activation.rawValue, architecture: problem.architecture.widths, loss: Loss.mse.rawValue,
            weights: problem.weights.map(\.decimalRows),
            biases: problem.decimalBiases,
            x: problem.x.decimalRows, y: problem.y.decimalRows)
        // The full p x p Hessians (for leaky-relu:a/b scaled by b^(2(L-1)), as the checker rebuilds them), which
        // the witnesses index.
        let hessian = try ExactHessians.build(problem, activation: activation)
        let sources: [any ExactRankSource] = parts.map { hessian.source(for: $0) }
        let bounds: [HessianPart: [UpperBound]] = upperBound == .span ? [:] : try PointUpperBounds.bounds(
            problem, activation: activation, dataRank: try CertifiedRank.rank(of: problem.x).rank, residualRank: nil,
            augmentedDataRank: nil, rank: { (m: IntegerMatrix) throws(CertifiedRank.TooLarge) -> Int in try CertifiedRank.rank(of: m).rank })
        let witnessed = zip(parts, sources).map { part, source in
            var witness = witness(source, prime: witnessPrime())
            // A statement proved here before a cited one, when both meet the rank.
            let meeting = bounds[part, default: []].filter { $0.value == witness.rows.count }
            if let met = meeting.first(where: { $0.basis == .provedHere }) ?? meeting.first {
                witness = Certificate.Witness(method: Certificate.statementWitnessMethod, prime: witness.prime,
                                              rows: witness.rows, columns: witness.columns,
                                              determinantResidue: witness.determinantResidue, statement: met.statement)
            }
            return Certificate.Part(part: part.rawValue, rank: witness.rows.count, witness: witness)
        }
        return try certificate(.dense(network), version: Certificate.formatVersion, seed: seed, samples: problem.sampleCount,
                               parameters: problem.parameterCount, parts: witnessed)
    }

    /// Builds the certificate (format version 3) of `parts` for a linear convolutional network under mse: the witnesses
    /// index the full p x p Hessians in theta (`ParametrizedLinearHessian`), which the checker rebuilds by its own
    /// route (the unrolled network's direct Hessians, pulled back). Upper bounds by the exact column span only.
    public static func build(_ problem: ConvolutionalProblem, seed: UInt64, parts: [HessianPart],
                             witnessPrime: () -> UInt = Primes.fromSystemEntropy) throws -> Certificate {
        let a = problem.architecture
        let network = Certificate.ConvolutionalNetwork(
            activation: Activation.linear.rawValue, input: [a.input.channels] + a.input.spatial,
            layers: a.layers.map(Certificate.ConvolutionalNetwork.Layer.init), loss: Loss.mse.rawValue,
            theta: (0..<problem.parameterCount).map { problem.parameters.decimal($0, 0) }, x: problem.x.decimalRows, y: problem.y.decimalRows)
        let hessian = ParametrizedLinearHessian(problem)
        let witnessed = parts.map { part in
            let witness = witness(hessian.exactMatrix(part), prime: witnessPrime())
            return Certificate.Part(part: part.rawValue, rank: witness.rows.count, witness: witness)
        }
        return try certificate(.convolutional(network), version: Certificate.convolutionalFormatVersion, seed: seed,
                               samples: problem.sampleCount, parameters: problem.parameterCount, parts: witnessed)
    }

    static func certificate(_ network: Certificate.NetworkSection, version: Int, seed: UInt64, samples: Int,
                            parameters: Int, parts: [Certificate.Part]) throws -> Certificate {
        let networkObject = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(network))
        return Certificate(
            formatVersion: version, type: Certificate.type, generator: "hessian-rank",
            flintVersion: FLINTRuntime.version, seed: String(seed), samples: samples,
            parameters: parameters, network: network, inputsDigest: try CanonicalJSON.digest(networkObject),
            parts: parts, certificateDigest: nil)
    }

    /// The witness of the rank of a symmetric matrix modulo `prime`: principal pivot rows and columns, and their
    /// determinant.
    static func witness(_ source: some ExactRankSource, prime: UInt) -> Certificate.Witness {
        // Reduced twice: once consumed by the echelon form, once for the minor (a reduction costs far less than either).
        let pivots = source.reduced(modulo: prime).pivotColumnsOverwriting()
        let determinant = source.reduced(modulo: prime).submatrix(rows: pivots, columns: pivots).determinant()
        precondition(determinant != 0, "CertificateBuilder: principal pivot minor of a symmetric matrix is singular")
        return Certificate.Witness(method: Certificate.witnessMethod, prime: String(prime), rows: pivots,
                                   columns: pivots, determinantResidue: String(determinant))
    }
}
