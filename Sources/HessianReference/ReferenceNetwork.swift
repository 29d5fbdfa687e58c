// A bias-free linear network, its data and targets, as plain Int128 arrays, with overflow-checked arithmetic.
//
// This module is the reference that the producer's structured Hessian and the certificate checker are compared
// against. It imports nothing else of ours, so it shares no code path with the producer: its inputs are plain
// arrays, its arithmetic is Swift's Int128 with every overflow detected (it throws `ReferenceFailure.overflow` rather than wrap).

/// Why the reference Hessian cannot be built exactly.
public enum ReferenceFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// An intermediate value left Int128.
    case overflow
    /// A ReLU pre-activation is exactly zero: the network is not differentiable there (1-based sample, layer, unit).
    case kink(sample: Int, layer: Int, unit: Int)

    public var description: String {
        switch self {
        case .overflow:
            "an intermediate value of the reference Hessian exceeded 2^127 (the direct construction works in Int128)"
        case let .kink(sample, layer, unit):
            "sample \(sample) sits on a ReLU kink: the pre-activation of unit \(unit) in layer \(layer) is exactly 0, "
                + "where the network has no Hessian; draw another point (e.g. another --seed)"
        }
    }
}

/// The activation of the hidden layers; the output layer is linear.
public enum ReferenceActivation: Sendable, Equatable {
    case linear
    /// max(0, z): exact on each linear region, refused on a kink.
    case relu
}

public struct ReferenceNetwork: Sendable {
    /// All widths, input first: [d, M_1, ..., K].
    public let widths: [Int]
    /// weights[t] is widths[t+1] x widths[t], as rows.
    public let weights: [[[Int128]]]
    /// One sample per row (N x d), one target per row (N x K).
    public let samples: [[Int128]]
    public let targets: [[Int128]]

    public enum ShapeError: Error, Equatable { case mismatch(String) }

    public init(widths: [Int], weights: [[[Int128]]], samples: [[Int128]], targets: [[Int128]]) throws(ShapeError) {
        guard widths.count >= 2, widths.allSatisfy({ $0 >= 1 }), weights.count == widths.count - 1 else {
            throw .mismatch("need at least two positive widths and one weight matrix per layer")
        }
        for (t, w) in weights.enumerated() where w.count != widths[t + 1] || w.contains(where: { $0.count != widths[t] }) {
            throw .mismatch("W\(t + 1) must be \(widths[t + 1]) x \(widths[t])")
        }
        guard samples.count == targets.count, samples.allSatisfy({ $0.count == widths[0] }),
              targets.allSatisfy({ $0.count == widths[widths.count - 1] }) else {
            throw .mismatch("data must be N x \(widths[0]) and targets N x \(widths[widths.count - 1])")
        }
        self.widths = widths
        self.weights = weights
        self.samples = samples
        self.targets = targets
    }

    public var depth: Int { widths.count - 1 }
    public var parameterCount: Int { (0..<depth).reduce(0) { $0 + widths[$1] * widths[$1 + 1] } }

    /// Where layer t's parameters start (layer 1 first, each weight matrix row-major).
    public func offset(_ t: Int) -> Int { (0..<t).reduce(0) { $0 + widths[$1] * widths[$1 + 1] } }

    /// h_0 = x, h_t = D_t W_t h_{t-1}: every layer's output for one sample, and the masks D_t (true where a unit is
    /// active; all true for a linear network and for the output layer). `sample` (1-based) names a kink.
    ///
    /// A zero pre-activation is a kink only when some input to the unit is nonzero: then changing one weight moves it
    /// to either side of 0. When the whole input vector is zero (an all-zero sample, or a layer whose units are all
    /// strictly inactive), it stays zero under every small change of the parameters, so the unit is constant (zero)
    /// near this point, with zero derivatives of every order: it is masked, not refused.
    func forward(_ x: [Int128], activation: ReferenceActivation, sample: Int) throws(ReferenceFailure) -> (h: [[Int128]], masks: [[Bool]]) {
        var h = [x]
        var masks: [[Bool]] = [[Bool](repeating: true, count: x.count)]
        for (t, w) in weights.enumerated() {
            var z = try Checked.apply(w, h[h.count - 1])
            var mask = [Bool](repeating: true, count: z.count)
            if activation == .relu && t < depth - 1 {
                let inputIsZero = h[h.count - 1].allSatisfy { $0 == 0 }
                for i in 0..<z.count {
                    if z[i] == 0 && !inputIsZero { throw .kink(sample: sample, layer: t + 1, unit: i + 1) }
                    if z[i] <= 0 { z[i] = 0; mask[i] = false }
                }
            }
            h.append(z)
            masks.append(mask)
        }
        return (h, masks)
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
