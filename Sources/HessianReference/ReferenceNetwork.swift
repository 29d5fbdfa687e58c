// A piecewise-linear network (linear, ReLU or leaky-ReLU hidden layers, a linear output layer, with or without biases),
// its data and targets, as plain Int128 arrays, with overflow-checked arithmetic.
//
// This module is the reference that the producer's Hessians and the certificate checker are compared against. It
// imports nothing else of ours, so it shares no code path with the producer: its inputs are plain arrays, its
// arithmetic is Swift's Int128 with every overflow detected (it throws `ReferenceFailure.overflow` rather than wrap).
//
// The network: f(x) = W_L sigma(... sigma(W_1 x + b_1) ...) + b_L, where either every layer has a bias or none does.
// The parameters theta, in order: layer 1 first; within a layer, W_t row-major, then b_t (PyTorch's nn.Linear order).
// For a leaky slope a/b every computation here runs on the scaled network of ReferenceActivation.swift (integer slopes
// b and a, bias constants b^(t-1), targets b^(L-1) y), whose Hessians are b^(2(L-1)) times the true ones.

/// Why the reference Hessian cannot be built exactly.
public enum ReferenceFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// An intermediate value left Int128.
    case overflow
    /// A hidden pre-activation of a ReLU or leaky-ReLU network is exactly zero (and the unit's input is not): the
    /// network is not differentiable there (1-based sample, layer, unit).
    case kink(sample: Int, layer: Int, unit: Int)

    public var description: String {
        switch self {
        case .overflow:
            "an intermediate value of the reference Hessian exceeded 2^127 (the direct construction works in Int128)"
        case let .kink(sample, layer, unit):
            "sample \(sample) sits on a kink of the activation: the pre-activation of unit \(unit) in layer \(layer) is exactly 0, "
                + "where the network has no Hessian; draw another point (e.g. another --seed)"
        }
    }
}

public struct ReferenceNetwork: Sendable {
    /// All widths, input first: [d, M_1, ..., K].
    public let widths: [Int]
    /// weights[t] is widths[t+1] x widths[t], as rows.
    public let weights: [[[Int128]]]
    /// biases[t] has widths[t+1] entries; nil for a bias-free network.
    public let biases: [[Int128]]?
    /// One sample per row (N x d), one target per row (N x K).
    public let samples: [[Int128]]
    public let targets: [[Int128]]

    public enum ShapeError: Error, Equatable { case mismatch(String) }

    public init(widths: [Int], weights: [[[Int128]]], biases: [[Int128]]? = nil, samples: [[Int128]],
                targets: [[Int128]]) throws(ShapeError) {
        guard widths.count >= 2, widths.allSatisfy({ $0 >= 1 }), weights.count == widths.count - 1 else {
            throw .mismatch("need at least two positive widths and one weight matrix per layer")
        }
        for (t, w) in weights.enumerated() where w.count != widths[t + 1] || w.contains(where: { $0.count != widths[t] }) {
            throw .mismatch("W\(t + 1) must be \(widths[t + 1]) x \(widths[t])")
        }
        if let biases {
            guard biases.count == weights.count else { throw .mismatch("need one bias vector per layer (\(weights.count)), or none") }
            for (t, b) in biases.enumerated() where b.count != widths[t + 1] {
                throw .mismatch("b\(t + 1) must have \(widths[t + 1]) entries")
            }
        }
        guard samples.count == targets.count, samples.allSatisfy({ $0.count == widths[0] }),
              targets.allSatisfy({ $0.count == widths[widths.count - 1] }) else {
            throw .mismatch("data must be N x \(widths[0]) and targets N x \(widths[widths.count - 1])")
        }
        self.widths = widths
        self.weights = weights
        self.biases = biases
        self.samples = samples
        self.targets = targets
    }

    public var depth: Int { widths.count - 1 }
    public var hasBias: Bool { biases != nil }

    /// Parameters of layer t (0-based): widths[t+1] x widths[t] weights, and widths[t+1] biases if the network has them.
    func layerParameterCount(_ t: Int) -> Int { widths[t + 1] * (widths[t] + (hasBias ? 1 : 0)) }

    public var parameterCount: Int { offset(depth) }

    /// Where layer t's (0-based) parameters start: layer 1 first, each W_t row-major, then b_t. Layer t's bias entry i
    /// is at offset(t) + widths[t+1] widths[t] + i.
    public func offset(_ t: Int) -> Int { (0..<t).reduce(0) { $0 + layerParameterCount($1) } }

    /// One sample through the scaled network (ReferenceActivation.swift): g_0 = x, z_t = W_t g_{t-1} + c_t b_t,
    /// g_t = D_t z_t with the diagonal of integer slopes D_t (b where z > 0, a where z < 0, 0 for a masked unit; the
    /// identity for a linear network and for the output layer). Returns every g_t and every D_t (slopes[0] is all 1).
    /// `constants` are the c_t of `ReferenceActivation.biasConstants`; `sample` (1-based) names a kink.
    ///
    /// A zero pre-activation is a kink only when some input to the unit is nonzero: then changing one weight moves it
    /// to either side of 0. When the whole input vector is zero (an all-zero sample, or a layer whose units are all
    /// strictly inactive under ReLU), it stays zero under every small change of the parameters, so the unit is constant (zero)
    /// near this point, with zero derivatives of every order: it is masked, not refused. With biases the input always
    /// includes the constant c_t != 0, so a zero pre-activation is always a kink.
    func forward(_ x: [Int128], activation: ReferenceActivation, constants: [Int128],
                 sample: Int) throws(ReferenceFailure) -> (h: [[Int128]], slopes: [[Int128]]) {
        let (positive, negative) = activation.integerSlopes
        var h = [x]
        var slopes: [[Int128]] = [[Int128](repeating: 1, count: x.count)]
        for (t, w) in weights.enumerated() {
            var z = try Checked.apply(w, h[t])
            if let biases {
                for i in 0..<z.count { z[i] = try Checked.add(z[i], Checked.mul(constants[t], biases[t][i])) }
            }
            var slope = [Int128](repeating: 1, count: z.count)
            if t < depth - 1 && activation.hasKinks {
                let inputIsZero = !hasBias && h[t].allSatisfy { $0 == 0 }
                for i in 0..<z.count {
                    if z[i] == 0 && !inputIsZero { throw .kink(sample: sample, layer: t + 1, unit: i + 1) }
                    slope[i] = z[i] > 0 ? positive : z[i] < 0 ? negative : 0
                    z[i] = try Checked.mul(slope[i], z[i])
                }
            }
            h.append(z)
            slopes.append(slope)
        }
        return (h, slopes)
    }

    /// The targets of the scaled network, b^(L-1) y (`constants.last` = c_L).
    func scaledTargets(constants: [Int128]) throws(ReferenceFailure) -> [[Int128]] {
        let scale = constants[depth - 1]
        return try targets.map { (row) throws(ReferenceFailure) in try row.map { (v) throws(ReferenceFailure) in try Checked.mul(scale, v) } }
    }
}

/// Int128 arithmetic that throws on overflow.
enum Checked {
    @inline(__always) static func add(_ a: Int128, _ b: Int128) throws(ReferenceFailure) -> Int128 {
        let (r, o) = a.addingReportingOverflow(b)
        if o { throw .overflow }
        return r
    }

    @inline(__always) static func sub(_ a: Int128, _ b: Int128) throws(ReferenceFailure) -> Int128 {
        let (r, o) = a.subtractingReportingOverflow(b)
        if o { throw .overflow }
        return r
    }

    @inline(__always) static func mul(_ a: Int128, _ b: Int128) throws(ReferenceFailure) -> Int128 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        if o { throw .overflow }
        return r
    }

    /// w v for a matrix given as rows.
    static func apply(_ w: [[Int128]], _ v: [Int128]) throws(ReferenceFailure) -> [Int128] {
        var result = [Int128](repeating: 0, count: w.count)
        for i in 0..<w.count {
            var acc: Int128 = 0
            for j in 0..<v.count where v[j] != 0 { acc = try add(acc, mul(w[i][j], v[j])) }
            result[i] = acc
        }
        return result
    }

    /// w^T v for a matrix given as rows.
    static func applyTransposed(_ w: [[Int128]], _ v: [Int128]) throws(ReferenceFailure) -> [Int128] {
        var result = [Int128](repeating: 0, count: w.first?.count ?? 0)
        for i in 0..<w.count where v[i] != 0 {
            for j in 0..<result.count { result[j] = try add(result[j], mul(w[i][j], v[i])) }
        }
        return result
    }
}

extension ReferenceNetwork {
    /// The residual covariance of the network read as linear: Omega = sum_n (f(x_n) - y_n) x_n^T, K x d, with
    /// f(x) = W_L (... (W_1 x + b_1) ...) + b_L. With biases it is that of the augmented bias-free network, whose
    /// data are [x_n; 1]: Omega~ = sum_n (f(x_n) - y_n) [x_n; 1]^T, K x (d + 1) (proofs/bias-network.md). Rows as
    /// arrays; every operation overflow-checked.
    public func linearResidualCovariance() throws(ReferenceFailure) -> [[Int128]] {
        let columns = widths[0] + (hasBias ? 1 : 0)
        var omega = [[Int128]](repeating: [Int128](repeating: 0, count: columns), count: widths[depth])
        for (x, y) in zip(samples, targets) {
            var z = x
            for (t, w) in weights.enumerated() {
                z = try Checked.apply(w, z)
                if let biases { for i in 0..<z.count { z[i] = try Checked.add(z[i], biases[t][i]) } }
            }
            let input = hasBias ? x + [1] : x
            for k in 0..<z.count {
                let residual = try Checked.sub(z[k], y[k])
                if residual == 0 { continue }
                for j in 0..<columns { omega[k][j] = try Checked.add(omega[k][j], Checked.mul(residual, input[j])) }
            }
        }
        return omega
    }
}
