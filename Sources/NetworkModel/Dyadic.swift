// Finite doubles are dyadic rationals: every one is an integer times a power of two. So a float64 data matrix is an
// integer matrix over a common power of two, exactly, and the exact path can use it without rounding anything.
import ExactAlgebra

public enum Dyadic {
    /// `rows` = matrix / 2^exponent exactly, with the smallest exponent >= 0 that makes every entry an integer.
    /// Refuses NaN and infinities. Every finite double is m 2^k with m an odd integer below 2^53 and
    /// -1074 <= k <= 971, so the exponent is at most 1074 and an entry has at most 53 + 971 + 1074 = 2,098 bits:
    /// exact big integers, whatever the spread of magnitudes.
    public static func integers(_ rows: [[Double]]) throws(InputError) -> (matrix: IntegerMatrix, exponent: Int) {
        let columns = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == columns }) else { throw InputError("the rows have different lengths") }
        // v = sign * m * 2^k with m an odd integer below 2^53 (0 is m = 0).
        var mantissas: [Int] = [], powers: [Int] = []
        for (i, row) in rows.enumerated() {
            for (j, v) in row.enumerated() {
                guard v.isFinite else { throw InputError("entry (\(i), \(j)) is \(v): only finite values have an exact rank") }
                if v == 0 { mantissas.append(0); powers.append(0); continue }
                let width = v.significandWidth
                let m = Int((v.significand * Double(sign: .plus, exponent: width, significand: 1)).magnitude)
                mantissas.append(v < 0 ? -m : m)
                powers.append(Int(v.exponent) - width)
            }
        }
        let exponent = max(0, zip(mantissas, powers).filter { $0.0 != 0 }.map { -$0.1 }.max() ?? 0)
        return (IntegerMatrix(rows: rows.count, columns: columns, mantissas: mantissas,
                              exponents: zip(mantissas, powers).map { $0.0 == 0 ? 0 : $0.1 + exponent }), exponent)
    }
}

/// Powers of two relating an exact integer problem to the values it was read from (all 0 for a drawn problem).
public struct InputExponents: Codable, Sendable, Equatable {
    public let weights: [Int]
    /// One per layer for a network with biases (b_t = problem.biases[t] / 2^biases[t]); nil (absent from JSON) without.
    public let biases: [Int]?
    public let x: Int
    public let y: Int

    public init(weights: [Int], biases: [Int]? = nil, x: Int, y: Int) {
        self.weights = weights
        self.biases = biases
        self.x = x
        self.y = y
    }

    public static func zero(depth: Int, bias: Bool = false) -> InputExponents {
        InputExponents(weights: Array(repeating: 0, count: depth), biases: bias ? Array(repeating: 0, count: depth) : nil,
                       x: 0, y: 0)
    }
}

extension Problem {
    /// The exact problem at given float weights, biases (one vector per layer, or none), data and targets (as from
    /// .npy files), with the same Hessian ranks (`exactWithExponents`).
    public static func exact(weights: [[[Double]]], biases: [[Double]] = [], x: [[Double]],
                             y: [[Double]]) throws(InputError) -> Problem {
        try exactWithExponents(weights: weights, biases: biases, x: x, y: y).problem
    }

    /// The exact problem at given float values, with the powers of two that map it back to them: W_t is
    /// problem.weights[t] / 2^exponents.weights[t], b_t is problem.biases[t] / 2^exponents.biases[t], x is
    /// problem.x / 2^exponents.x, y is problem.y / 2^exponents.y.
    ///
    /// Each matrix is an integer matrix over its own power of two (`Dyadic.integers`): W_t = W~_t / 2^a_t,
    /// b_t = B~_t / 2^e_t, x = X~ / 2^b, y = Y~ / 2^c. Let S_t = a_1 + ... + a_t + b (S_0 = b) and s >= 0 an extra
    /// power of two for the data. The integer network with weights W~_t, data 2^s X~ and biases
    /// beta_t = 2^(S_t + s) b_t = 2^(S_t + s - e_t) B~_t has pre-activations z~_t = 2^(S_t + s) z_t, by induction:
    ///   z~_1 = W~_1 2^s X~ + beta_1 = 2^(a_1) W_1 2^(b + s) x + 2^(S_1 + s) b_1 = 2^(S_1 + s) z_1,
    ///   a~_t = sigma(z~_t) = 2^(S_t + s) a_t (sigma(c z) = c sigma(z) for c > 0: linear, relu, leaky-relu),
    ///   z~_{t+1} = 2^(a_{t+1}) W_{t+1} 2^(S_t + s) a_t + 2^(S_{t+1} + s) b_{t+1} = 2^(S_{t+1} + s) z_{t+1};
    /// so f~ = 2^(S_L + s) f. With targets Y~' = 2^(S_L + s - c) Y~ = 2^(S_L + s) y the integer loss is
    /// 4^(S_L + s) times ours at theta = D^-1 theta~, D = diag(2^(a_t) on W_t, 2^(S_t + s) on b_t), and the Hessians
    /// are H = D H~ D / 4^(S_L + s): the same ranks as those of the integer problem returned here. Every exponent
    /// S_t + s - e_t and S_L + s - c must be >= 0, so s = max(0, max_t (e_t - S_t), c - S_L): the smallest power of
    /// two that keeps everything integer. Without biases this is the bias-free argument (s = max(0, c - S_L)).
    public static func exactWithExponents(weights: [[[Double]]], biases: [[Double]] = [], x: [[Double]],
                                          y: [[Double]]) throws(InputError) -> (problem: Problem, exponents: InputExponents) {
        guard let first = weights.first, let d = first.first?.count else { throw InputError("no weight matrices") }
        let widths = [d] + weights.map(\.count)
        let architecture = try Architecture(widths: widths, bias: !biases.isEmpty)
        var integerWeights: [IntegerMatrix] = [], weightExponents: [Int] = []
        for (t, w) in weights.enumerated() {
            let (matrix, exponent) = try Dyadic.integers(w)
            guard matrix.columnCount == widths[t] else { throw InputError("W\(t + 1) has \(matrix.columnCount) columns, expected \(widths[t])") }
            integerWeights.append(matrix)
            weightExponents.append(exponent)
        }
        guard biases.isEmpty || biases.count == weights.count else {
            throw InputError("\(biases.count) bias vectors for \(weights.count) weight matrices: give one per layer, or none")
        }
        var integerBiases: [IntegerMatrix] = [], biasExponents: [Int] = []
        for (t, vector) in biases.enumerated() {
            guard vector.count == widths[t + 1] else {
                throw InputError("b\(t + 1) has \(vector.count) entries but W\(t + 1) has \(widths[t + 1]) rows")
            }
            let (matrix, exponent) = try Dyadic.integers(vector.map { [$0] })
            integerBiases.append(matrix)
            biasExponents.append(exponent)
        }
        let (xInteger, b) = try Dyadic.integers(x)
        let (yInteger, c) = try Dyadic.integers(y)
        // S_t (t = 1 ... L), and the part of s the biases need; `matchingOutputAndTargetScales` adds the rest.
        let layerScales = weightExponents.indices.map { t in weightExponents[...t].reduce(b, +) }
        let biasShift = zip(biasExponents, layerScales).map { $0 - $1 }.reduce(0, max)
        let scaledBiases = zip(integerBiases, zip(biasExponents, layerScales)).map { $0.multiplied(byPowerOfTwo: $1.1 + biasShift - $1.0) }
        let problem = try Problem(architecture: architecture, weights: integerWeights, biases: scaledBiases,
                                  x: xInteger.multiplied(byPowerOfTwo: biasShift), y: yInteger)
            .matchingOutputAndTargetScales(weightExponents: weightExponents, dataExponent: b + biasShift, targetExponent: c)
        // matchingOutputAndTargetScales scales X and the biases by 2^(max(0, c - S_L - biasShift)) and Y to match.
        let s = biasShift + max(0, c - layerScales[layerScales.count - 1] - biasShift)
        return (problem, InputExponents(weights: weightExponents, biases: biases.isEmpty ? nil : layerScales.map { $0 + s },
                                        x: b + s, y: layerScales[layerScales.count - 1] + s))
    }

    /// The integer problem whose Hessians have the ranks of this problem read as W_t / 2^weightExponents[t],
    /// X / 2^dataExponent, Y / 2^targetExponent and b_t / 2^(a_1 + ... + a_t + dataExponent), each bias at the scale
    /// of its layer's pre-activation (the argument above, with s = 0): the integer network's outputs
    /// (f~ = 2^(sum a + b) f) and the targets are brought to one scale by scaling Y by 2^(sum a + b - c), or X and the
    /// biases up instead (every pre-activation scales with them) when sum a + b < c.
    public func matchingOutputAndTargetScales(weightExponents: [Int], dataExponent b: Int,
                                              targetExponent c: Int) -> Problem {
        let shift = weightExponents.reduce(0, +)
        let xScale = max(0, c - shift - b)
        // Shapes are unchanged, so the problem stays valid.
        return try! Problem(architecture: architecture, weights: weights,
                            biases: biases.map { $0.multiplied(byPowerOfTwo: xScale) }, x: x.multiplied(byPowerOfTwo: xScale),
                            y: y.multiplied(byPowerOfTwo: shift + b + xScale - c))
    }
}
