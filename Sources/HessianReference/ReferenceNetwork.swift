// A bias-free linear network, its data and targets, as plain Int128 arrays, with overflow-checked arithmetic.
//
// This module is the reference that the producer's structured Hessian and the certificate checker are compared
// against. It imports nothing else of ours, so it shares no code path with the producer: its inputs are plain
// arrays, its arithmetic is Swift's Int128 with every overflow detected (it throws `Overflow` rather than wrap).

public struct Overflow: Error, Sendable, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String {
        "an intermediate value of the reference Hessian exceeded 2^127 (the direct construction works in Int128)"
    }
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

    /// h_0 = x, h_t = W_t h_{t-1}: every layer's output for one sample.
    func activations(_ x: [Int128]) throws(Overflow) -> [[Int128]] {
        var h = [x]
        for w in weights { h.append(try Checked.apply(w, h[h.count - 1])) }
        return h
    }
}

/// Int128 arithmetic that throws on overflow.
enum Checked {
    @inline(__always) static func add(_ a: Int128, _ b: Int128) throws(Overflow) -> Int128 {
        let (r, o) = a.addingReportingOverflow(b)
        if o { throw Overflow() }
        return r
    }

    @inline(__always) static func sub(_ a: Int128, _ b: Int128) throws(Overflow) -> Int128 {
        let (r, o) = a.subtractingReportingOverflow(b)
        if o { throw Overflow() }
        return r
    }

    @inline(__always) static func mul(_ a: Int128, _ b: Int128) throws(Overflow) -> Int128 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        if o { throw Overflow() }
        return r
    }

    /// w v for a matrix given as rows.
    static func apply(_ w: [[Int128]], _ v: [Int128]) throws(Overflow) -> [Int128] {
        var result = [Int128](repeating: 0, count: w.count)
        for i in 0..<w.count {
            var acc: Int128 = 0
            for j in 0..<v.count where v[j] != 0 { acc = try add(acc, mul(w[i][j], v[j])) }
            result[i] = acc
        }
        return result
    }

    /// w^T v for a matrix given as rows.
    static func applyTransposed(_ w: [[Int128]], _ v: [Int128]) throws(Overflow) -> [Int128] {
        var result = [Int128](repeating: 0, count: w.first?.count ?? 0)
        for i in 0..<w.count where v[i] != 0 {
            for j in 0..<result.count { result[j] = try add(result[j], mul(w[i][j], v[i])) }
        }
        return result
    }
}
