// The slope conventions, and the scaling claim of ReferenceActivation.swift checked against an independent route: the
// TRUE network (slope a/b, no scaling) in Double, differentiated by central differences.
import HessianReference
import Testing

@Suite struct ReferenceActivationTests {
    @Test func slopeConventions() throws {
        let valid: [(Int, Int)] = [(0, 1), (1, 8), (-1, 2), (2, 3), (3, 1), (-65536, 1), (1, 65536), (65535, 65536)]
        let invalid: [(Int, Int)] = [(1, 1), (2, 2), (2, 4), (0, 2), (1, 0), (1, -2), (-1, -2), (65537, 1), (1, 65537), (Int.min, 1)]
        for (a, b) in valid { #expect(ReferenceActivation.leakyReLU(numerator: a, denominator: b).isValid, "\(a)/\(b)") }
        for (a, b) in invalid { #expect(!ReferenceActivation.leakyReLU(numerator: a, denominator: b).isValid, "\(a)/\(b)") }
        #expect(ReferenceActivation.linear.isValid && ReferenceActivation.relu.isValid)
        #expect(ReferenceActivation.leakyReLU(numerator: -1, denominator: 2).integerSlopes == (2, -1))
        #expect(try ReferenceActivation.relu.hessianScale(depth: 7) == 1)
        #expect(try ReferenceActivation.leakyReLU(numerator: 1, denominator: 8).hessianScale(depth: 3) == 4096)
    }

    /// The true network in Double: output, and the sign pattern of its hidden pre-activations.
    struct TrueNetwork {
        let widths: [Int]
        let bias: Bool
        let slope: Double
        let samples: [[Double]]
        let targets: [[Double]]

        /// f(theta; x) with theta in the reference's order (layer by layer, W_t row-major, then b_t).
        func output(_ theta: [Double], _ x: [Double]) -> (f: [Double], pattern: [Bool]) {
            var h = x, offset = 0, pattern: [Bool] = []
            for t in 0..<(widths.count - 1) {
                let (rows, columns) = (widths[t + 1], widths[t])
                var z = (0..<rows).map { i in (0..<columns).reduce(0.0) { $0 + theta[offset + i * columns + $1] * h[$1] } }
                offset += rows * columns
                if bias {
                    for i in 0..<rows { z[i] += theta[offset + i] }
                    offset += rows
                }
                if t < widths.count - 2 {
                    pattern += z.map { $0 > 0 }
                    z = z.map { $0 > 0 ? $0 : slope * $0 }
                }
                h = z
            }
            return (h, pattern)
        }

        func loss(_ theta: [Double]) -> (value: Double, pattern: [Bool]) {
            var total = 0.0, pattern: [Bool] = []
            for (x, y) in zip(samples, targets) {
                let (f, p) = output(theta, x)
                total += zip(f, y).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 2
                pattern += p
            }
            return (total, pattern)
        }
    }

    /// Direct / b^(2(L-1)) equals the Hessians of the true network, part by part: H_L by central differences of the
    /// true loss, H_O = sum J^T J with J by central differences of f, H_F = H_L - H_O. The loss is a polynomial of
    /// degree <= 2 in each parameter near theta, so the differences are exact but for rounding (step 2^-12, no
    /// pre-activation changes sign: checked); the tolerance is 10^-3 of the largest entry.
    @Test(arguments: [[2, 3, 2], [2, 2, 2, 1], [1, 2, 1]])
    func scalingMatchesTheTrueNetwork(widths: [Int]) throws {
        let slopes: [ReferenceActivation] = [.relu, .leakyReLU(numerator: 1, denominator: 8), .leakyReLU(numerator: -1, denominator: 2),
                                             .leakyReLU(numerator: 2, denominator: 3), .leakyReLU(numerator: 3, denominator: 1)]
        for bias in [false, true] {
            for activation in slopes {
                let c = ReferenceCase(widths: widths, bias: bias, activation: activation, samples: 3)
                let checked = try c.firstOffKink(seed: 7) { network, seed in
                    try Self.compare(network, activation: activation, context: "\(c), seed \(seed)")
                    return true
                }
                #expect(checked != nil, "\(c): the first 50 draws all sit on a kink")
            }
        }
    }

    static func compare(_ network: ReferenceNetwork, activation: ReferenceActivation, context: String) throws {
        let direct = try DirectHessian.compute(network, activation: activation)
        let scale = Double(try activation.hessianScale(depth: network.depth))
        let slope: Double
        switch activation {
        case .linear: slope = 1
        case .relu: slope = 0
        case let .leakyReLU(a, b): slope = Double(a) / Double(b)
        }
        let model = TrueNetwork(widths: network.widths, bias: network.hasBias, slope: slope,
                                samples: network.samples.map { $0.map(Double.init) }, targets: network.targets.map { $0.map(Double.init) })
        var theta: [Double] = []
        for t in 0..<network.depth {
            theta += network.weights[t].flatMap { $0.map(Double.init) }
            if let biases = network.biases { theta += biases[t].map(Double.init) }
        }
        let p = theta.count, step = 1.0 / 4096
        #expect(p == network.parameterCount, "\(context)")
        let basePattern = model.loss(theta).pattern
        func moved(_ moves: [(Int, Double)]) -> [Double] {
            var point = theta
            for (u, d) in moves { point[u] += d }
            return point
        }
        var patternsKept = true
        func loss(_ moves: [(Int, Double)]) -> Double {
            let (value, pattern) = model.loss(moved(moves))
            patternsKept = patternsKept && pattern == basePattern
            return value
        }
        var lossHessian = [Double](repeating: 0, count: p * p), outer = lossHessian
        for u in 0..<p {
            for v in 0..<p {
                lossHessian[u * p + v] = (loss([(u, step), (v, step)]) - loss([(u, step), (v, -step)])
                    - loss([(u, -step), (v, step)]) + loss([(u, -step), (v, -step)])) / (4 * step * step)
            }
        }
        for x in model.samples {
            let jacobian = (0..<p).map { u in
                zip(model.output(moved([(u, step)]), x).f, model.output(moved([(u, -step)]), x).f).map { ($0 - $1) / (2 * step) }
            }
            for u in 0..<p { for v in 0..<p { outer[u * p + v] += zip(jacobian[u], jacobian[v]).reduce(0.0) { $0 + $1.0 * $1.1 } } }
        }
        #expect(patternsKept, "\(context): a difference crossed a kink; the comparison does not apply")
        let functional = zip(lossHessian, outer).map { $0 - $1 }
        for (name, exact, approximate) in [("H_L", direct.loss, lossHessian), ("H_O", direct.outer, outer), ("H_F", direct.functional, functional)] {
            let scaled = exact.map { Double($0) / scale }
            let size = max(1, scaled.map(abs).max() ?? 0)
            let worst = zip(scaled, approximate).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-3 * size, "\(context): \(name) / b^(2(L-1)) differs from the true network's by \(worst) (largest entry \(size))")
        }
    }
}
