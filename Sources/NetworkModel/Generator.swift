// The seeded draw of weights, data and targets.
//
// Everything comes from SplitMix64 streams derived from one seed, one stream per purpose (weights 1, data 2,
// targets 3, biases 5 for bias networks), so a seed always means the same problem. Stream 4 once gave the random
// primes; primes now come from the system's entropy on every run (`PrimeChoice`), never from a seed, since data can
// be chosen after a seeded prime is known. The streams:
// - weights: uniform over the nonzero integers in -16...16 (no zeros: a zero weight makes degenerate products far
//   likelier; in a measured grid with weights in -3...3 and zeros, several percent of draws were not generic);
// - data X (N x d): uniform integers in -16...16 (`.integer`), or in 0...256 (`.uniform01`: the float path divides
//   them by 256, giving inputs in [0, 1] on a grid of 1/256, the paper's setting); with a prescribed data rank r,
//   X = U V with U (N x r) and V (r x d) uniform in -4...4 (0...4 for `.uniform01`), redrawn until rank X = r exactly
//   (checked by a certified rank);
// - targets Y (N x K): uniform integers in -16...16;
// - biases b_t (with `Architecture.bias`): nonzero integers in -16...16, from stream 5.
// `drawLargeValues` draws every value from -2^20...2^20 instead (weights nonzero), for ReLU networks at scale: with
// values in -16...16 a pre-activation is exactly zero (a kink, where there is no Hessian) with probability about 1e-3,
// so a network with thousands of them almost always has one; with 2^20 that probability is of order 1e-13.
import ExactAlgebra

/// How data are drawn: integers around zero, or a grid in [0, 1] (as integers 0...256, to be divided by 2^8).
public enum DataDistribution: String, Sendable, CaseIterable, Codable {
    case integer
    case uniform01

    /// The float path divides the drawn integers by 2^exponent.
    public var floatExponent: Int { self == .integer ? 4 : 8 }
}

public enum Generator {
    public static let weightBound = 16
    public static let dataBound = 16
    public static let factorBound = 4
    public static let targetBound = 16

    enum Stream: UInt64 { case weights = 1, data = 2, targets = 3, biases = 5 }

    /// Draws a problem. `dataRank` must lie in 0...min(samples, d); nil means unconstrained (rank min(N, d) almost
    /// always).
    public static func draw(_ architecture: Architecture, samples: Int, dataRank: Int? = nil,
                            data distribution: DataDistribution = .integer, seed: UInt64) throws(InputError) -> Problem {
        guard samples >= 1 else { throw InputError("the number of samples must be a positive integer; got \(samples)") }
        let d = architecture.inputWidth
        if let r = dataRank, r < 0 || r > min(samples, d) {
            throw InputError("the data rank must lie in 0...min(N, d) = 0...\(min(samples, d)); got \(r)")
        }
        var dataStream = SplitMix64(seed: seed, stream: Stream.data.rawValue)
        let x = try drawData(samples: samples, inputs: d, rank: dataRank, distribution: distribution, using: &dataStream)
        return try draw(architecture, x: x, seed: seed)
    }

    /// Draws of X = U V with a prescribed rank before giving up (each falls short with small probability).
    static let dataAttempts = 100

    /// Draws weights, data and targets uniformly from F_prime (as integers in [0, prime)), for the generic rank
    /// (`--field prime`): same streams as `draw`. The prime is the caller's (drawn from the system's entropy, or given
    /// by the user), so the point is uniform over F_prime whatever the prime, as long as the seed is random.
    /// With `dataRank` r, X = U V mod prime with U (N x r) and V (r x d) uniform: rank r over F_p with high probability.
    public static func drawField(_ architecture: Architecture, samples: Int, dataRank: Int? = nil, prime: UInt,
                                 seed: UInt64) throws(InputError) -> Problem {
        guard samples >= 1 else { throw InputError("the number of samples must be a positive integer; got \(samples)") }
        func uniform(_ rows: Int, _ columns: Int, _ stream: inout SplitMix64) -> IntegerMatrix {
            matrix(rows, columns) { Int(stream.uniform(below: UInt64(prime))) }
        }
        var weightStream = SplitMix64(seed: seed, stream: Stream.weights.rawValue)
        let weights = (0..<architecture.depth).map { t in
            uniform(architecture.weightShape(t).rows, architecture.weightShape(t).columns, &weightStream)
        }
        var dataStream = SplitMix64(seed: seed, stream: Stream.data.rawValue)
        let x: IntegerMatrix
        if let r = dataRank {
            let u = uniform(samples, r, &dataStream), v = uniform(r, architecture.inputWidth, &dataStream)
            x = r == 0 ? IntegerMatrix(rows: samples, columns: architecture.inputWidth) : (u * v).reduced(modulo: prime)
        } else {
            x = uniform(samples, architecture.inputWidth, &dataStream)
        }
        var targetStream = SplitMix64(seed: seed, stream: Stream.targets.rawValue)
        let y = uniform(samples, architecture.outputWidth, &targetStream)
        let biases = architecture.bias ? drawBiases(architecture, seed: seed, fieldPrime: prime) : []
        return try Problem(architecture: architecture, weights: weights, biases: biases, x: x, y: y)
    }

    public static let largeValueBound = 1 << 20

    /// Draws a problem with every value in -2^20...2^20 (weights nonzero), from the same streams as `draw`; with
    /// `nonnegativeData` the data lie in 0...2^20 instead (inputs in [0, 1] on a grid of 2^-20, the paper's setting).
    public static func drawLargeValues(_ architecture: Architecture, samples: Int, nonnegativeData: Bool = false,
                                       seed: UInt64) throws(InputError) -> Problem {
        guard samples >= 1 else { throw InputError("the number of samples must be a positive integer; got \(samples)") }
        var weightStream = SplitMix64(seed: seed, stream: Stream.weights.rawValue)
        let weights = (0..<architecture.depth).map { t in
            let shape = architecture.weightShape(t)
            return matrix(shape.rows, shape.columns) { nonzero(bound: largeValueBound, using: &weightStream) }
        }
        var dataStream = SplitMix64(seed: seed, stream: Stream.data.rawValue)
        let x = matrix(samples, architecture.inputWidth) { dataStream.uniform(in: nonnegativeData ? 0...largeValueBound : -largeValueBound...largeValueBound) }
        var targetStream = SplitMix64(seed: seed, stream: Stream.targets.rawValue)
        let y = matrix(samples, architecture.outputWidth) { targetStream.uniform(in: -largeValueBound...largeValueBound) }
        let biases = architecture.bias ? drawBiases(architecture, seed: seed, bound: largeValueBound) : []
        return try Problem(architecture: architecture, weights: weights, biases: biases, x: x, y: y)
    }

    /// Draws weights and targets for given data X (N x d), from the same streams as every draw with this seed.
    static func draw(_ architecture: Architecture, x: IntegerMatrix, seed: UInt64) throws(InputError) -> Problem {
        guard x.columnCount == architecture.inputWidth, x.rowCount >= 1 else {
            throw InputError("the data have \(x.columnCount) columns but the network has d = \(architecture.inputWidth) inputs")
        }
        var weightStream = SplitMix64(seed: seed, stream: Stream.weights.rawValue)
        let weights = (0..<architecture.depth).map { t in
            let shape = architecture.weightShape(t)
            return matrix(shape.rows, shape.columns) { nonzero(bound: weightBound, using: &weightStream) }
        }
        var targetStream = SplitMix64(seed: seed, stream: Stream.targets.rawValue)
        let y = matrix(x.rowCount, architecture.outputWidth) { targetStream.uniform(in: -targetBound...targetBound) }
        let biases = architecture.bias ? drawBiases(architecture, seed: seed) : []
        return try Problem(architecture: architecture, weights: weights, biases: biases, x: x, y: y)
    }

    static func drawData(samples: Int, inputs: Int, rank: Int?, distribution: DataDistribution,
                         using stream: inout SplitMix64) throws(InputError) -> IntegerMatrix {
        let entries = distribution == .integer ? -dataBound...dataBound : 0...256
        let factors = distribution == .integer ? -factorBound...factorBound : 0...factorBound
        guard let r = rank else { return matrix(samples, inputs) { stream.uniform(in: entries) } }
        for _ in 0..<dataAttempts {
            let u = matrix(samples, r) { stream.uniform(in: factors) }
            let v = matrix(r, inputs) { stream.uniform(in: factors) }
            let x = r == 0 ? IntegerMatrix(rows: samples, columns: inputs) : u * v
            if (try? CertifiedRank.rank(of: x).rank) == r { return x }
        }
        throw InputError("no data matrix of rank \(r) in \(dataAttempts) draws of X = U V (\(samples) x \(inputs))")
    }

    static func nonzero(bound: Int, using stream: inout SplitMix64) -> Int {
        let k = stream.uniform(in: 1...(2 * bound))
        return k <= bound ? k - bound - 1 : k - bound
    }

    static func matrix(_ rows: Int, _ columns: Int, _ entry: () -> Int) -> IntegerMatrix {
        var result = IntegerMatrix(rows: rows, columns: columns)
        for i in 0..<rows { for j in 0..<columns { result[i, j] = entry() } }
        return result
    }
}

extension Generator {
    /// Biases for a drawn problem, from their own stream of the seed: nonzero integers in -bound...bound (16 unless
    /// given), or with `fieldPrime` residues uniform in [0, prime) (generic mode).
    public static func drawBiases(_ architecture: Architecture, seed: UInt64, bound: Int = weightBound,
                                  fieldPrime: UInt? = nil) -> [IntegerMatrix] {
        var stream = SplitMix64(seed: seed, stream: Stream.biases.rawValue)
        return architecture.widths.dropFirst().map { width in
            matrix(width, 1) {
                fieldPrime.map { Int(stream.uniform(below: UInt64($0))) } ?? nonzero(bound: bound, using: &stream)
            }
        }
    }
}
