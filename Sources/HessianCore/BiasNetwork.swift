// Deep linear networks with a bias in every layer, f(x) = W_L (... (W_1 x + b_1) ...) + b_L, for the with-bias
// conjecture (`RankFormulas.BiasNetworkConjecture`).
//
// Construction. With hat-W_t = [[W_t, b_t], [0, 1]] for the hidden layers, hat-W_L = [W_L, b_L] and hat-x = [x; 1],
// f(x) = hat-W_L ... hat-W_1 hat-x: a bias-free linear network of widths [d + 1, M_1 + 1, ..., M_{L-1} + 1, K] on the
// data [X, 1]. Its loss, as a function of every entry of the hat-W_t, restricts to ours on the affine subspace where
// the last row of each hidden hat-W_t is held at [0, ..., 0, 1]; the Hessian of a restriction to a coordinate
// subspace is the principal submatrix on the free coordinates. So H_L, H_O (= J^T J with J restricted to the free
// columns) and H_F of the bias network are principal submatrices of the augmented network's structured Hessians, at
// every point, over Z and over F_p alike.
//
// Parameter order: layer 1 first; within a layer, row i of W_t followed by b_t[i] (the rows of [W_t | b_t], row-major).
import ExactAlgebra
import RankFormulas

public struct BiasProblem: Sendable {
    /// The weights, data and targets (`problem.weights[t]` is W_{t+1}).
    public let problem: Problem
    /// b_1 ... b_L, each M_t x 1.
    public let biases: [IntegerMatrix]

    public init(problem: Problem, biases: [IntegerMatrix]) throws(InputError) {
        let architecture = problem.architecture
        guard biases.count == architecture.depth else {
            throw InputError("expected \(architecture.depth) bias vectors for widths \(architecture); got \(biases.count)")
        }
        for (t, b) in biases.enumerated() where (b.rowCount, b.columnCount) != (architecture.widths[t + 1], 1) {
            throw InputError("b\(t + 1) must be \(architecture.widths[t + 1]) x 1; got \(b.rowCount) x \(b.columnCount)")
        }
        _ = try Self.augmentedArchitecture(architecture)
        self.problem = problem
        self.biases = biases
    }

    public var architecture: Architecture { problem.architecture }
    /// p = sum_t M_t (M_{t-1} + 1).
    public var parameterCount: Int { architecture.parameterCount + architecture.widths.dropFirst().reduce(0, +) }

    /// The shape of the augmented network: [d + 1, M_1 + 1, ..., M_{L-1} + 1, K]; refused if a width then exceeds
    /// the largest supported one.
    public static func augmentedArchitecture(_ architecture: Architecture) throws(InputError) -> Architecture {
        let widths = architecture.widths
        return try Architecture(widths: [widths[0] + 1] + widths.dropFirst().dropLast().map { $0 + 1 } + [widths[widths.count - 1]])
    }

    /// The bias-free network on [X, 1] whose free coordinates are ours (see above). `init` has checked that its
    /// shape is valid.
    public var augmented: Problem {
        let widths = architecture.widths
        let depth = architecture.depth
        let weights = (0..<depth).map { t -> IntegerMatrix in
            var rows = zip(problem.weights[t].decimalRows, biases[t].decimalRows).map { $0 + $1 }
            if t < depth - 1 { rows.append(Array(repeating: "0", count: widths[t]) + ["1"]) }
            return IntegerMatrix(decimalRows: rows)!
        }
        let x = IntegerMatrix(decimalRows: problem.x.decimalRows.map { $0 + ["1"] })!
        // The shapes chain by construction.
        return try! Problem(architecture: try! Self.augmentedArchitecture(architecture), weights: weights, x: x, y: problem.y)
    }

    /// Where our parameters sit in the augmented network's parameter vector, in our order: every row of each
    /// hat-W_t except the fixed last row of the hidden ones.
    public var freeIndices: [Int] {
        let widths = architecture.widths
        var indices: [Int] = []
        var offset = 0
        for t in 0..<architecture.depth {
            let columns = widths[t] + 1
            let rows = t < architecture.depth - 1 ? widths[t + 1] + 1 : widths[t + 1]
            indices += (0..<(widths[t + 1] * columns)).map { offset + $0 }
            offset += rows * columns
        }
        return indices
    }
}

/// The Hessians of a bias network, as principal submatrices of the augmented network's.
public struct BiasHessian: Sendable {
    public let problem: BiasProblem
    public let augmented: StructuredHessian
    let indices: [Int]

    /// With `modulus`, the problem's entries are residues modulo that prime (generic mode).
    public init(_ problem: BiasProblem, modulus: UInt? = nil) {
        self.problem = problem
        augmented = StructuredHessian(problem.augmented, modulus: modulus)
        indices = problem.freeIndices
    }

    public func source(for part: HessianPart) -> PrincipalSubmatrix<BlockMatrix> {
        PrincipalSubmatrix(augmented.source(for: part), indices: indices)
    }

    /// The part as an exact integer matrix (p x p): for tests and small cases.
    public func exactMatrix(_ part: HessianPart) -> IntegerMatrix {
        let rows = augmented.exactMatrix(part).decimalRows
        return IntegerMatrix(decimalRows: indices.map { i in indices.map { rows[i][$0] } })!
    }
}

extension Generator {
    /// Biases for a drawn problem, from their own stream of the seed: nonzero integers in -16...16, or with
    /// `fieldPrime` residues uniform in [0, prime) (generic mode).
    public static func drawBiases(_ architecture: Architecture, seed: UInt64, fieldPrime: UInt? = nil) -> [IntegerMatrix] {
        var stream = SplitMix64(seed: seed, stream: Stream.biases.rawValue)
        return architecture.widths.dropFirst().map { width in
            matrix(width, 1) {
                fieldPrime.map { Int(stream.uniform(below: UInt64($0))) } ?? nonzero(bound: weightBound, using: &stream)
            }
        }
    }
}

/// One bias network, analysed in generic mode: the ranks of H_L, H_O, H_F at a uniform point of F_p beside the
/// conjecture.
public struct BiasAnalysis: Sendable {
    public let problem: BiasProblem
    public let seed: UInt64
    public let prime: UInt
    /// Whether the first input was set to 1 in every sample (so rank [X, 1] = rank X).
    public let constantFeature: Bool
    /// r = rank X and r~ = rank [X, 1], over F_p.
    public let dataRank: Int
    public let augmentedDataRank: Int
    public let conjecture: BiasNetworkConjecture
    /// In the order loss, outer, functional.
    public let ranks: [Int]
    /// Schwartz-Zippel: each rank falls below the generic rank over F_p with probability at most this. Not covered:
    /// r or r~ over F_p below their values over Q (which changes the conjecture compared with), or a prime for which
    /// the generic ranks over F_p and Q differ (finitely many).
    public let errorBound: Double

    public var formulas: [FormulaValue] { [conjecture.loss, conjecture.outer, conjecture.functional] }

    /// Draws a bias network uniformly over F_p (weights, biases, data, targets from `seed`; the prime is the caller's,
    /// drawn from the system's entropy or given) and ranks its Hessians there. With `constantFeature`, the first input is 1 in every sample, so that
    /// rank [X, 1] = rank X (the conjecture's other case) with N > rank X. Entries have degree at most 2L + 2 in the
    /// drawn values (as for the bias-free network: the fixed 0s and 1s are constants), so a minor of the p x p matrix
    /// has degree at most (2L + 2) p.
    public static func analyze(_ architecture: Architecture, samples: Int, dataRank: Int? = nil,
                               constantFeature: Bool = false, prime: UInt, seed: UInt64) throws(InputError) -> BiasAnalysis {
        var problem = try Generator.drawField(architecture, samples: samples, dataRank: dataRank, prime: prime, seed: seed)
        if constantFeature {
            var x = problem.x
            for n in 0..<samples { x[n, 0] = 1 }
            problem = try Problem(architecture: architecture, weights: problem.weights, x: x, y: problem.y)
        }
        let bias = try BiasProblem(problem: problem, biases: Generator.drawBiases(architecture, seed: seed, fieldPrime: prime))
        let hessian = BiasHessian(bias, modulus: prime)
        let ranks = HessianPart.allCases.map { hessian.source(for: $0).reduced(modulo: prime).rankOverwriting() }
        let r = ModularMatrix(problem.x, prime: prime).rank()
        let rTilde = ModularMatrix(hessian.augmented.problem.x, prime: prime).rank()
        let degree = Double(StructuredHessian.entryDegreeBound(depth: architecture.depth))
        return BiasAnalysis(problem: bias, seed: seed, prime: prime, constantFeature: constantFeature, dataRank: r,
                            augmentedDataRank: rTilde,
                            conjecture: BiasNetworkConjecture(widths: architecture.widths, dataRank: r, augmentedDataRank: rTilde),
                            ranks: ranks, errorBound: min(1, degree * Double(bias.parameterCount) / Double(prime)))
    }
}
