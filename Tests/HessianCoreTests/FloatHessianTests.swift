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
