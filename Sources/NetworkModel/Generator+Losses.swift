// The seeded draw for the losses whose Hessians have transcendental entries (cross-entropy, log-cosh): small values,
// so that the outputs stay small and the softmax and tanh do not saturate (a probability e^-1000, or 1 - pi for pi
// that close to 1, is beyond what the floating-point pivoting pass and the ball arithmetic's working precision can
// tell from 0). Same streams as `draw`:
// - weights (and biases): nonzero integers in -2...2 (with +-1 alone small networks were often not generic);
// - data X: integers in -2...2, or with a prescribed rank r, X = U V with U (N x r) and V (r x d) in -1...1, redrawn
//   until rank X = r exactly (a certified rank);
// - targets: for cross-entropy one-hot rows, the class uniform in 0..<K; for log-cosh integers in -1...1.
import ExactAlgebra

extension Generator {
    public static func drawForLoss(_ architecture: Architecture, samples: Int, dataRank: Int? = nil, loss: Loss,
                                   seed: UInt64) throws(InputError) -> Problem {
        guard samples >= 1 else { throw InputError("the number of samples must be a positive integer; got \(samples)") }
        let d = architecture.inputWidth, k = architecture.outputWidth
        if let r = dataRank, r < 0 || r > min(samples, d) {
            throw InputError("the data rank must lie in 0...min(N, d) = 0...\(min(samples, d)); got \(r)")
        }
        if loss == .crossEntropy && k < 2 {
            throw InputError("cross-entropy needs at least 2 outputs (classes); got K = \(k)")
        }
        var weightStream = SplitMix64(seed: seed, stream: Stream.weights.rawValue)
        let weights = (0..<architecture.depth).map { t in
            let shape = architecture.weightShape(t)
            return matrix(shape.rows, shape.columns) { nonzero(bound: 2, using: &weightStream) }
        }
        var biasStream = SplitMix64(seed: seed, stream: Stream.biases.rawValue)
        let biases = architecture.bias
            ? (0..<architecture.depth).map { t in matrix(architecture.widths[t + 1], 1) { nonzero(bound: 2, using: &biasStream) } }
            : []
        var dataStream = SplitMix64(seed: seed, stream: Stream.data.rawValue)
        let x: IntegerMatrix
        if let r = dataRank {
            // A plain loop: each attempt advances the stream, so the draw must run exactly once per attempt.
            var drawn: IntegerMatrix?
            for _ in 0..<dataAttempts where drawn == nil {
                let u = matrix(samples, r) { dataStream.uniform(in: -1...1) }, v = matrix(r, d) { dataStream.uniform(in: -1...1) }
                let candidate = r == 0 ? IntegerMatrix(rows: samples, columns: d) : u * v
                if (try? CertifiedRank.rank(of: candidate).rank) == r { drawn = candidate }
            }
            guard let drawn else { throw InputError("could not draw data of rank \(r) in \(dataAttempts) attempts") }
            x = drawn
        } else {
            x = matrix(samples, d) { dataStream.uniform(in: -2...2) }
        }
        let y = targetsForLoss(loss, samples: samples, outputs: k, seed: seed)
        return try Problem(architecture: architecture, weights: weights, biases: biases, x: x, y: y)
    }

    /// The targets `drawForLoss` draws (its own stream, so the same whatever the weights and data): one-hot rows for
    /// cross-entropy, the class uniform in 0..<K (K >= 2); integers in -1...1 for mse and log-cosh.
    public static func targetsForLoss(_ loss: Loss, samples: Int, outputs k: Int, seed: UInt64) -> IntegerMatrix {
        var targetStream = SplitMix64(seed: seed, stream: Stream.targets.rawValue)
        switch loss {
        case .crossEntropy:
            let classes = (0..<samples).map { _ in targetStream.uniform(in: 0...(k - 1)) }
            return IntegerMatrix(classes.map { c in (0..<k).map { $0 == c ? 1 : 0 } })
        case .mse, .logCosh:
            return matrix(samples, k) { targetStream.uniform(in: -1...1) }
        }
    }
}
