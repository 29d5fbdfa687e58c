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
    public let x: Int
    public let y: Int

    public init(weights: [Int], x: Int, y: Int) {
        self.weights = weights
        self.x = x
        self.y = y
    }

    public static func zero(depth: Int) -> InputExponents { InputExponents(weights: Array(repeating: 0, count: depth), x: 0, y: 0) }
}

extension Problem {
    /// The exact problem at given float weights, data and targets (as from .npy files), with the same Hessian ranks.
    ///
    /// Each matrix is an integer matrix over its own power of two (`Dyadic.integers`): W_t = W~_t / 2^a_t,
    /// x = X~ / 2^b, y = Y~ / 2^c. A bias-free network (linear, or ReLU by positive homogeneity) then has
    /// f(x) = f~(X~) / 2^(sum a + b) with f~ the integer network, and with Y~' = Y~ 2^(sum a + b - c) (scaling X~ up
    /// instead when sum a + b < c) the loss Hessian is D H~ D / 4^(sum a + b), D = diag(2^a_t) per layer: the same rank
    /// as the Hessian H~ of the integer problem returned here.
    public static func exact(weights: [[[Double]]], x: [[Double]], y: [[Double]]) throws(InputError) -> Problem {
        try exactWithExponents(weights: weights, x: x, y: y).problem
    }

    /// `exact`, with the powers of two that map the integer problem back to the given values: W_t is
    /// problem.weights[t] / 2^exponents.weights[t], x is problem.x / 2^exponents.x, y is problem.y / 2^exponents.y.
    public static func exactWithExponents(weights: [[[Double]]], x: [[Double]],
                                          y: [[Double]]) throws(InputError) -> (problem: Problem, exponents: InputExponents) {
        guard let first = weights.first, let d = first.first?.count else { throw InputError("no weight matrices") }
        let widths = [d] + weights.map(\.count)
        let architecture = try Architecture(widths: widths)
        var integerWeights: [IntegerMatrix] = [], weightExponents: [Int] = []
        for (t, w) in weights.enumerated() {
            let (matrix, exponent) = try Dyadic.integers(w)
            guard matrix.columnCount == widths[t] else { throw InputError("W\(t + 1) has \(matrix.columnCount) columns, expected \(widths[t])") }
            integerWeights.append(matrix)
            weightExponents.append(exponent)
        }
        let (xInteger, b) = try Dyadic.integers(x)
        let (yInteger, c) = try Dyadic.integers(y)
        let problem = try Problem(architecture: architecture, weights: integerWeights, x: xInteger, y: yInteger)
            .matchingOutputAndTargetScales(weightExponents: weightExponents, dataExponent: b, targetExponent: c)
        // matchingOutputAndTargetScales scales X by 2^(max(0, c - sum a - b)) and Y by 2^(sum a + b + that - c).
        let xScale = max(0, c - weightExponents.reduce(0, +) - b)
        return (problem, InputExponents(weights: weightExponents, x: b + xScale,
                                        y: weightExponents.reduce(0, +) + b + xScale))
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
