// A linear convolutional network at the user's own float64 values (`rank --input --layers --weights`), exactly: every
// finite double is an integer times a power of two (`Dyadic`), so the values are an integer problem up to powers of
// two, and the scaling below makes its Hessians a diagonal power-of-two scaling of the true ones: the same ranks.
import ExactAlgebra

/// The powers of two relating an integer `ConvolutionalProblem` to the float values it was read from: layer t's weights
/// are the problem's divided by 2^weights[t], its bias (for a layer with one) by 2^biases[t], x by 2^x, y by 2^y.
public struct ConvolutionalInputExponents: Codable, Sendable, Equatable {
    public let weights: [Int]
    /// One per layer: the power of a layer with a bias (the scale of its pre-activation), nil (null in JSON) without.
    public let biases: [Int?]
    public let x: Int
    public let y: Int

    public init(weights: [Int], biases: [Int?], x: Int, y: Int) {
        self.weights = weights
        self.biases = biases
        self.x = x
        self.y = y
    }
}

extension ConvolutionalProblem {
    /// The exact integer problem at given float values, with the powers of two that map it back to them.
    ///
    /// `weights[t]` is layer t's weight flattened row-major in its PyTorch shape (`architecture.weightShape(t)`),
    /// `biases[t]` its bias (nil exactly for a layer without one), `x` the data N x (flattened input, channel-major as
    /// `torch.flatten`), `y` the targets N x K.
    ///
    /// Why the ranks are the true ones. Write each array as an integer one over its own power of two
    /// (`Dyadic.integers`): layer t's weights w_t = w~_t / 2^a_t, its bias b_t = B~_t / 2^e_t, x = X~ / 2^b,
    /// y = Y~ / 2^c. Let S_t = b + a_1 + ... + a_t (S_0 = b) and choose s >= 0 below. The integer problem has
    /// parameters theta~ = D theta, D = diag(2^a_t on the weights of layer t, 2^(S_t + s) on its bias), data
    /// 2^(b + s) x = 2^s X~ and targets 2^(S_L + s) y = 2^(S_L + s - c) Y~. The network is multilinear in its layers
    /// and each unrolled layer matrix is linear in that layer's parameters (W_t(2^a theta_t) = 2^a W_t(theta_t), the
    /// constant 1 that carries the biases staying 1: proofs/convolution.md), so by induction on t, for every theta
    /// (not only at this point) the pre-activations of the integer network at D theta are 2^(S_t + s) times ours:
    ///   z~_1 = 2^a_1 W_1 2^(b + s) x + 2^(S_1 + s) b_1 = 2^(S_1 + s) z_1,
    ///   z~_(t+1) = 2^a_(t+1) W_(t+1) 2^(S_t + s) z_t + 2^(S_(t+1) + s) b_(t+1) = 2^(S_(t+1) + s) z_(t+1).
    /// So f~(D theta) = 2^(S_L + s) f(theta), the integer loss is l~(D theta) = 4^(S_L + s) l(theta), and
    /// differentiating twice, H = D H~ D / 4^(S_L + s) (likewise H_O, with J = J~ D / 2^(S_L + s), and H_F), with H~
    /// the integer problem's Hessians at theta~: D is invertible, so every part has the rank of the integer part.
    /// Everything is an integer when each S_t + s - e_t (layers with a bias) and S_L + s - c is >= 0:
    /// s = max(0, max_t (e_t - S_t), c - S_L), the smallest such power. This is `Problem.exactWithExponents`'
    /// argument for dense networks, and `ParametrizedHessians.float`'s (D, 2S) read the other way.
    public static func exactWithExponents(_ architecture: ConvolutionalArchitecture, weights: [[Double]], biases: [[Double]?],
                                          x: [[Double]], y: [[Double]]) throws(InputError)
        -> (problem: ConvolutionalProblem, exponents: ConvolutionalInputExponents) {
        let a = architecture
        guard weights.count == a.depth, biases.count == a.depth else {
            throw InputError("\(weights.count) weights and \(biases.count) biases for \(a.depth) layers")
        }
        var integerWeights: [IntegerMatrix] = [], weightExponents: [Int] = []
        var integerBiases: [IntegerMatrix?] = [], biasExponents: [Int?] = []
        for t in 0..<a.depth {
            let count = a.weightShape(t).reduce(1, *)
            guard weights[t].count == count else {
                throw InputError("layer \(t + 1) has \(count) weights; got \(weights[t].count)")
            }
            let (w, exponent) = try Dyadic.integers([weights[t]])
            integerWeights.append(w)
            weightExponents.append(exponent)
            guard (biases[t] != nil) == (a.biasCount(t) > 0), (biases[t]?.count ?? 0) == a.biasCount(t) else {
                throw InputError("layer \(t + 1) has \(a.biasCount(t)) biases; got \(biases[t]?.count ?? 0)")
            }
            if let bias = biases[t] {
                let (b, exponent) = try Dyadic.integers([bias])
                integerBiases.append(b)
                biasExponents.append(exponent)
            } else {
                integerBiases.append(nil)
                biasExponents.append(nil)
            }
        }
        let (xInteger, b) = try Dyadic.integers(x)
        let (yInteger, c) = try Dyadic.integers(y)
        guard xInteger.columnCount == a.input.count, yInteger.columnCount == a.outputWidth,
              xInteger.rowCount == yInteger.rowCount, xInteger.rowCount >= 1 else {
            throw InputError("the data must be N x \(a.input.count) and the targets N x \(a.outputWidth); got \(xInteger.rowCount) x \(xInteger.columnCount) and \(yInteger.rowCount) x \(yInteger.columnCount)")
        }
        // S_t for t = 1 ... L, and s.
        let scales = weightExponents.indices.map { t in weightExponents[...t].reduce(b, +) }
        let output = scales[a.depth - 1]
        let s = zip(biasExponents, scales).compactMap { e, scale in e.map { $0 - scale } }.reduce(max(0, c - output), max)
        var theta = IntegerMatrix(rows: a.parameterCount, columns: 1)
        for t in 0..<a.depth {
            let offset = a.parameterOffset(t), count = integerWeights[t].columnCount
            for i in 0..<count { theta.addEntry(offset + i, 0, from: integerWeights[t], 0, i) }
            if let bias = integerBiases[t], let e = biasExponents[t] {
                let scaled = bias.multiplied(byPowerOfTwo: scales[t] + s - e)
                for i in 0..<scaled.columnCount { theta.addEntry(offset + count + i, 0, from: scaled, 0, i) }
            }
        }
        let problem = try ConvolutionalProblem(architecture: a, parameters: theta, x: xInteger.multiplied(byPowerOfTwo: s),
                                               y: yInteger.multiplied(byPowerOfTwo: output + s - c))
        let exponents = ConvolutionalInputExponents(
            weights: weightExponents, biases: (0..<a.depth).map { biasExponents[$0] == nil ? nil : scales[$0] + s },
            x: b + s, y: output + s)
        return (problem, exponents)
    }

    /// Every power of two each parameter is divided by to give the float values (`exactWithExponents`): a_t for a
    /// weight of layer t, S_t + s for its bias; theta = parameters / 2^exponent, entrywise.
    public static func parameterExponents(_ architecture: ConvolutionalArchitecture,
                                          _ exponents: ConvolutionalInputExponents) -> [Int] {
        (0..<architecture.depth).flatMap { t in
            Array(repeating: exponents.weights[t], count: architecture.weightShape(t).reduce(1, *))
                + Array(repeating: exponents.biases[t] ?? 0, count: architecture.biasCount(t))
        }
    }
}
