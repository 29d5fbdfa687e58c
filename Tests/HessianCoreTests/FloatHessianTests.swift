import ExactAlgebra
import HessianCore
import HessianReference
import Testing

@Suite struct FloatHessianTests {
    /// On integer inputs, the Double Hessians of a linear network equal the exact ones (structured construction)
    /// converted to Double: the entries are integers far below 2^53, so every float operation is exact.
    @Test(arguments: SmallCase.table)
    func linearEqualsExact(_ c: SmallCase) throws {
        let problem = try c.problem()
        let float = FloatHessian.compute(FloatNetwork(problem, activation: .linear))
        let structured = StructuredHessian(problem)
        let p = problem.parameterCount
        for part in HessianPart.allCases {
            let exact = structured.exactMatrix(part), entries = float.entries(part)
            var mismatches = 0
            for u in 0..<p { for v in 0..<p where Double(exact.decimal(u, v))! != entries[u * p + v] { mismatches += 1 } }
            #expect(mismatches == 0, "\(c): \(part.symbol) differs in \(mismatches) entries")
        }
    }

    /// The same for ReLU networks, against the exact direct construction with activation masks. Draws that sit on a
    /// kink are skipped to the next seed (the exact route refuses them; narrow ReLU layers die often), up to 40; at
    /// least one draw per shape must be compared.
    @Test(arguments: SmallCase.table)
    func reluEqualsExact(_ c: SmallCase) throws {
        var compared = 0
        for attempt in UInt64(0)..<40 where compared == 0 {
            let problem = try Generator.draw(Architecture(widths: c.widths), samples: c.samples, dataRank: c.dataRank, seed: c.seed + 1000 * attempt)
            let network = try #require(problem.referenceNetwork)
            let exact: DirectHessian.Result
            do { exact = try DirectHessian.compute(network, activation: .relu) } catch .kink { continue }
            let float = FloatHessian.compute(FloatNetwork(problem, activation: .relu))
            for part in HessianPart.allCases {
                let reference = exact.entries(part).map { Double($0) }
                #expect(float.entries(part) == reference, "\(c), attempt \(attempt): \(part.symbol)")
            }
            compared += 1
        }
        #expect(compared == 1, "\(c): every draw sat on a kink")
    }

    /// The exact per-sample block construction of ReLU networks equals the Int128 direct route, entry for entry, and
    /// for linear networks equals the structured construction.
    @Test(arguments: SmallCase.table)
    func piecewiseLinearBlocksEqualDirect(_ c: SmallCase) throws {
        let problem = try c.problem()
        let linear = try PiecewiseLinearHessian(problem, activation: .linear)
        let structured = StructuredHessian(problem)
        for part in HessianPart.allCases { #expect(linear.source(for: part).exact == structured.exactMatrix(part), "\(c): \(part)") }
        var compared = 0
        for attempt in UInt64(0)..<40 where compared == 0 {
            let draw = try Generator.draw(Architecture(widths: c.widths), samples: c.samples, dataRank: c.dataRank, seed: c.seed + 1000 * attempt)
            let direct: DirectHessian.Result
            do { direct = try DirectHessian.compute(try #require(draw.referenceNetwork), activation: .relu) } catch { continue }
            let blocks = try PiecewiseLinearHessian(draw, activation: .relu)
            let p = draw.parameterCount
            for part in HessianPart.allCases {
                #expect(blocks.source(for: part).exact == IntegerMatrix(rows: p, columns: p, int128: direct.entries(part)), "\(c): \(part)")
            }
            compared += 1
        }
        #expect(compared == 1)
    }

    /// With every hidden unit active, a ReLU network is the linear network: same exact Hessians.
    @Test func reluWithAllUnitsActiveIsLinear() throws {
        let problem = try Problem(architecture: Architecture(widths: [2, 2, 1]),
                                  weights: [IntegerMatrix([[1, 2], [3, 1]]), IntegerMatrix([[2, -1]])],
                                  x: IntegerMatrix([[1, 1], [2, 1], [1, 3]]), y: IntegerMatrix([[1], [0], [2]]))
        let network = try #require(problem.referenceNetwork)
        #expect(try DirectHessian.compute(network, activation: .relu) == DirectHessian.compute(network))
    }

    /// A pre-activation exactly zero is refused, naming sample, layer and unit.
    @Test func kinkIsRefused() throws {
        let problem = try Problem(architecture: Architecture(widths: [2, 2, 1]),
                                  weights: [IntegerMatrix([[1, -1], [3, 1]]), IntegerMatrix([[2, -1]])],
                                  x: IntegerMatrix([[1, 2], [2, 2]]), y: IntegerMatrix([[1], [0]]))
        #expect(throws: ReferenceFailure.kink(sample: 2, layer: 1, unit: 1)) {
            try DirectHessian.compute(try #require(problem.referenceNetwork), activation: .relu)
        }
    }

    /// A layer whose units are all strictly inactive makes the next pre-activations exactly zero, but constant near
    /// the point: not a kink. The exact and float routes agree there.
    @Test func deadLayerIsNotAKink() throws {
        let problem = try Problem(architecture: Architecture(widths: [2, 2, 2, 1]),
                                  weights: [IntegerMatrix([[-1, -1], [-2, -1]]), IntegerMatrix([[1, 2], [3, 1]]), IntegerMatrix([[2, -1]])],
                                  x: IntegerMatrix([[1, 1], [2, 1], [-1, -3]]), y: IntegerMatrix([[1], [0], [2]]))
        let exact = try DirectHessian.compute(try #require(problem.referenceNetwork), activation: .relu)
        let float = FloatHessian.compute(FloatNetwork(problem, activation: .relu))
        for part in HessianPart.allCases { #expect(float.entries(part) == exact.entries(part).map { Double($0) }, "\(part)") }
        #expect(exact.outer.contains { $0 != 0 }, "the third sample keeps the network alive")
    }

    /// Networks with biases (PyTorch order: W_t row-major, then b_t), linear, relu and leaky-relu: the float Hessians
    /// are the exact integer ones (`ExactHessians`: for leaky-relu:a/b the scaled b^(2(L-1)) H) divided by b^(2(L-1)):
    /// exactly when b is a power of two (these small dyadic values keep every float operation exact; compared as
    /// integers, some scaled entries pass 2^53), within 1e-9 of the largest entry otherwise (a/b is rounded). Draws on a kink are skipped to the next seed, up to 40.
    @Test(arguments: ["linear", "relu", "leaky-relu:1/8", "leaky-relu:1/3"])
    func biasNetworksEqualScaledExact(_ name: String) throws {
        let activation = try Activation(parsing: name)
        let exactDivision = activation.hessianScaleLog2(depth: 2).rounded() == activation.hessianScaleLog2(depth: 2)
        for c in SmallCase.table {
            var compared = 0
            for attempt in UInt64(0)..<40 where compared == 0 {
                let seed = c.seed + 1000 * attempt
                let problem = try Generator.draw(Architecture(widths: c.widths, bias: true), samples: c.samples,
                                                 dataRank: c.dataRank, seed: seed)
                let hessian: any ExactHessian
                do { hessian = try ExactHessians.build(problem, activation: activation) } catch { continue }
                let float = FloatHessian.compute(FloatNetwork(problem, activation: activation))
                let p = problem.parameterCount
                let scale = pow(2, activation.hessianScaleLog2(depth: c.widths.count - 1))
                for part in HessianPart.allCases {
                    let exact = hessian.exactMatrix(part), entries = float.entries(part)
                    #expect(exact.rowCount == p)
                    var largest = 0.0, worst = 0.0, mismatches = 0
                    for u in 0..<p {
                        for v in 0..<p {
                            let expected = Double(exact.decimal(u, v))! / scale
                            largest = max(largest, abs(expected))
                            worst = max(worst, abs(entries[u * p + v] - expected))
                            // Exactly: the float entry times the power of two, printed in full, is the integer.
                            if String(format: "%.0f", entries[u * p + v] * scale) != exact.decimal(u, v) { mismatches += 1 }
                        }
                    }
                    if exactDivision {
                        #expect(mismatches == 0, "\(name), \(c), seed \(seed): \(part.symbol) differs in \(mismatches) entries")
                    } else {
                        #expect(worst <= 1e-9 * largest, "\(name), \(c), seed \(seed): \(part.symbol) differs by \(worst) (largest \(largest))")
                    }
                }
                compared += 1
            }
            #expect(compared == 1, "\(name), \(c): every draw sat on a kink")
        }
    }

    /// A problem read at powers of two (calibrate's float network: W_t / 2^a_t, X / 2^b, Y / 2^c, b_t at its layer's
    /// pre-activation scale 2^(a_1 + ... + a_t + b)) against the integer problem `matchingOutputAndTargetScales` gives:
    /// H = D H~ D / 4^(S_L + s), D = 2^(a_t) on W_t and 2^(S_t + s) on b_t, entry for entry and exactly. c = 9 is
    /// above S_L = 6, so there X and the biases are scaled up by s = 3.
    @Test(arguments: [1, 9])
    func scaledBiasNetworkMatchesItsIntegerProblem(_ targetExponent: Int) throws {
        let (weightExponents, dataExponent) = ([2, 1], 3)
        var compared = 0
        for seed in UInt64(1)...40 where compared == 0 {
            let problem = try Generator.draw(Architecture(widths: [3, 2, 2], bias: true), samples: 4, seed: seed)
            let integer = problem.matchingOutputAndTargetScales(weightExponents: weightExponents, dataExponent: dataExponent,
                                                                targetExponent: targetExponent)
            let hessian: any ExactHessian
            do { hessian = try ExactHessians.build(integer, activation: .relu) } catch { continue }
            let float = FloatHessian.compute(FloatNetwork(problem, activation: .relu, weightExponents: weightExponents,
                                                          dataExponent: dataExponent, targetExponent: targetExponent))
            let s = max(0, targetExponent - 6)
            #expect(integer.x == problem.x.multiplied(byPowerOfTwo: s) && integer.biases == problem.biases.map { $0.multiplied(byPowerOfTwo: s) })
            // D per parameter, in theta's order: W_1 (6), b_1 (2), W_2 (4), b_2 (2).
            let exponents = [Int](repeating: 2, count: 6) + [Int](repeating: 5 + s, count: 2)
                + [Int](repeating: 1, count: 4) + [Int](repeating: 6 + s, count: 2)
            let p = problem.parameterCount
            for part in HessianPart.allCases {
                let exact = hessian.exactMatrix(part), entries = float.entries(part)
                for u in 0..<p {
                    for v in 0..<p {
                        let expected = Double(exact.decimal(u, v))! * pow(2, Double(exponents[u] + exponents[v] - 2 * (6 + s)))
                        #expect(entries[u * p + v] == expected, "seed \(seed), \(part.symbol) (\(u), \(v))")
                    }
                }
            }
            compared += 1
        }
        #expect(compared == 1)
    }

    /// sigmoid, elu and tanh, with and without biases, at seeded values in [-1, 1]: H_L against central second
    /// differences of the loss and H_O against J^T J with J from central differences of the outputs, each computed
    /// here from its own forward pass over theta in PyTorch's order.
    @Test(arguments: ["sigmoid", "elu", "tanh"], [false, true])
    func smoothActivationsMatchFiniteDifferences(_ name: String, _ bias: Bool) throws {
        let activation = try Activation(parsing: name)
        for (index, widths) in [[3, 2, 2], [2, 3, 2, 2]].enumerated() {
            let seed = UInt64(100 + index)
            var g = SplitMix64(seed: seed)
            func draw(_ n: Int) -> [Double] { (0..<n).map { _ in Double(g.next() >> 11) * 0x1p-52 - 1 } }
            let depth = widths.count - 1, samples = 3
            let weights = (0..<depth).map { draw(widths[$0 + 1] * widths[$0]) }
            let biases = bias ? (0..<depth).map { draw(widths[$0 + 1]) } : []
            let x = (0..<samples).map { _ in draw(widths[0]) }, y = (0..<samples).map { _ in draw(widths[depth]) }
            let net = FloatNetwork(widths: widths, activation: activation, weights: weights, biases: biases, x: x, y: y)
            let h = FloatHessian.compute(net)
            // theta in PyTorch's order, and the outputs of every sample at a theta.
            let theta = (0..<depth).flatMap { weights[$0] + (bias ? biases[$0] : []) }
            let p = theta.count
            #expect(p == net.parameterCount)
            func outputs(_ theta: [Double]) -> [Double] {
                var result: [Double] = []
                for sample in x {
                    var a = sample, offset = 0
                    for t in 0..<depth {
                        let (rows, columns) = (widths[t + 1], widths[t])
                        var z = (0..<rows).map { i in (0..<columns).reduce(0.0) { $0 + theta[offset + i * columns + $1] * a[$1] } }
                        offset += rows * columns
                        if bias { for i in 0..<rows { z[i] += theta[offset + i] }; offset += rows }
                        a = t == depth - 1 ? z : z.map { activation.evaluate($0).value }
                    }
                    result += a
                }
                return result
            }
            let targets = y.flatMap { $0 }
            func loss(_ theta: [Double]) -> Double { zip(outputs(theta), targets).reduce(0) { $0 + 0.5 * ($1.0 - $1.1) * ($1.0 - $1.1) } }
            func moved(_ steps: [(Int, Double)]) -> [Double] {
                var t = theta
                for (u, step) in steps { t[u] += step }
                return t
            }
            let e = 1e-4
            let largest = h.loss.map(abs).max() ?? 0
            for u in 0..<p {
                for v in 0..<p {
                    let second = u == v
                        ? (loss(moved([(u, e)])) - 2 * loss(theta) + loss(moved([(u, -e)]))) / (e * e)
                        : (loss(moved([(u, e), (v, e)])) - loss(moved([(u, e), (v, -e)])) - loss(moved([(u, -e), (v, e)]))
                           + loss(moved([(u, -e), (v, -e)]))) / (4 * e * e)
                    #expect(abs(h.loss[u * p + v] - second) <= 1e-6 * max(1, largest),
                            "\(name), bias \(bias), widths \(widths), seed \(seed): H_L (\(u), \(v)) \(h.loss[u * p + v]) vs \(second)")
                }
            }
            let step = 1e-6
            let jacobian = (0..<p).map { u in zip(outputs(moved([(u, step)])), outputs(moved([(u, -step)]))).map { ($0 - $1) / (2 * step) } }
            for u in 0..<p {
                for v in 0..<p {
                    let expected = zip(jacobian[u], jacobian[v]).reduce(0) { $0 + $1.0 * $1.1 }
                    #expect(abs(h.outer[u * p + v] - expected) <= 1e-7 * max(1, largest),
                            "\(name), bias \(bias), widths \(widths), seed \(seed): H_O (\(u), \(v))")
                }
            }
        }
    }

    /// tanh, by hand on a 1,1,1 network: f = w2 tanh(w1 x), with its first and second derivatives written out.
    @Test func tanhScalarByHand() {
        let (w1, w2, x, y) = (0.5, 1.5, 0.8, 0.3)
        let net = FloatNetwork(widths: [1, 1, 1], activation: .tanh, weights: [[w1], [w2]], x: [[x]], y: [[y]])
        let h = FloatHessian.compute(net)
        let t = tanh(w1 * x), s1 = 1 - t * t, s2 = -2 * t * s1
        let e = w2 * t - y
        // J = [w2 s1 x, t]; H_O = J^T J; Hessian of f: [[w2 s2 x^2, s1 x], [s1 x, 0]].
        let j = [w2 * s1 * x, t]
        let expectedOuter = [j[0] * j[0], j[0] * j[1], j[1] * j[0], j[1] * j[1]]
        let expectedFunctional = [e * w2 * s2 * x * x, e * s1 * x, e * s1 * x, 0]
        for k in 0..<4 {
            #expect(abs(h.outer[k] - expectedOuter[k]) < 1e-15)
            #expect(abs(h.functional[k] - expectedFunctional[k]) < 1e-15)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
