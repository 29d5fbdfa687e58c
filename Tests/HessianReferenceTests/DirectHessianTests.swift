// The direct route on cases worked out by hand, and its refusals: kinks (with and without biases) and overflow.
import HessianReference
import Testing

@Suite struct DirectHessianTests {
    /// widths 1,1,1 with bias, one sample: f = w2 sigma(w1 x + b1) + b2, theta = (w1, b1, w2, b2).
    static func tiny(w1: Int128, b1: Int128, w2: Int128, b2: Int128, x: Int128, y: Int128) throws -> ReferenceNetwork {
        try ReferenceNetwork(widths: [1, 1, 1], weights: [[[w1]], [[w2]]], biases: [[b1], [b2]], samples: [[x]], targets: [[y]])
    }

    /// On the active side: w1 = 3, b1 = -1, w2 = 5, b2 = 1, x = 2, y = 4. Then z = w1 x + b1 = 5 > 0 and, locally,
    /// f = w2 (w1 x + b1) + b2 = 26, e = 22.
    ///   J = (df/dw1, df/db1, df/dw2, df/db2) = (w2 x, w2, z, 1) = (10, 5, 5, 1), H_O = J^T J.
    ///   The only nonzero second derivatives of f: d2f/dw1 dw2 = x = 2, d2f/db1 dw2 = 1; so H_F = e Hessian(f) has
    ///   22 * 2 = 44 at (w1, w2) and 22 at (b1, w2), and their mirror images.
    /// Linear, ReLU and every leaky slope with b = 1 give the same (only the active piece is used, with slope 1).
    @Test func tinyBiasNetworkByHand() throws {
        let network = try Self.tiny(w1: 3, b1: -1, w2: 5, b2: 1, x: 2, y: 4)
        let outer: [Int128] = [100, 50, 50, 10,
                               50, 25, 25, 5,
                               50, 25, 25, 5,
                               10, 5, 5, 1]
        let functional: [Int128] = [0, 0, 44, 0,
                                    0, 0, 22, 0,
                                    44, 22, 0, 0,
                                    0, 0, 0, 0]
        for activation in [ReferenceActivation.linear, .relu, .leakyReLU(numerator: -2, denominator: 1)] {
            let result = try DirectHessian.compute(network, activation: activation)
            #expect(result.outer == outer, "\(activation)")
            #expect(result.functional == functional, "\(activation)")
            #expect(result.loss == zip(outer, functional).map { $0 + $1 }, "\(activation)")
        }
    }

    /// On the negative side of a leaky slope s = 1/3: w1 = -3, b1 = 1, w2 = 3, b2 = 1, x = 2, y = 0. Then z = -5,
    /// sigma(z) = -5/3, f = 3 (-5/3) + 1 = -4, e = -4.
    ///   J = (w2 s x, w2 s, sigma(z), 1) = (2, 1, -5/3, 1);
    ///   d2f/dw1 dw2 = s x = 2/3, d2f/db1 dw2 = s = 1/3, so H_F has -8/3 at (w1, w2) and -4/3 at (b1, w2).
    /// L = 2, b = 3: the reference returns b^(2(L-1)) = 9 times these, which is integer:
    ///   9 J^T J = 9 [4, 2, -10/3, 2; 2, 1, -5/3, 1; -10/3, -5/3, 25/9, -5/3; 2, 1, -5/3, 1], and 9 H_F has -24 and -12.
    @Test func tinyLeakyNetworkByHandIsScaledByNine() throws {
        let network = try Self.tiny(w1: -3, b1: 1, w2: 3, b2: 1, x: 2, y: 0)
        let activation = ReferenceActivation.leakyReLU(numerator: 1, denominator: 3)
        #expect(try activation.hessianScale(depth: 2) == 9)
        let result = try DirectHessian.compute(network, activation: activation)
        #expect(result.outer == [36, 18, -30, 18,
                                 18, 9, -15, 9,
                                 -30, -15, 25, -15,
                                 18, 9, -15, 9])
        #expect(result.functional == [0, 0, -24, 0,
                                      0, 0, -12, 0,
                                      -24, -12, 0, 0,
                                      0, 0, 0, 0])
        #expect(result.loss == zip(result.outer, result.functional).map { $0 + $1 })
        // ReLU has slope 0 there: only w2 and b2 move f (J = (0, 0, 0, 1) since sigma(z) = 0), and H_F = 0.
        let relu = try DirectHessian.compute(network, activation: .relu)
        #expect(relu.outer == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] && relu.functional.allSatisfy { $0 == 0 })
    }

    /// Leaky slope 0 is ReLU: the same Hessians, with and without biases, and the same kinks.
    @Test func leakySlopeZeroIsReLU() throws {
        for widths in ReferenceCase.shapes {
            for bias in [false, true] {
                let c = ReferenceCase(widths: widths, bias: bias, activation: .relu, samples: 3)
                for seed in 1...10 as ClosedRange<UInt64> {
                    let network = try c.network(seed: seed)
                    let relu = Result { () throws(ReferenceFailure) in try DirectHessian.compute(network, activation: .relu) }
                    let leaky = Result { () throws(ReferenceFailure) in
                        try DirectHessian.compute(network, activation: .leakyReLU(numerator: 0, denominator: 1))
                    }
                    #expect(relu == leaky, "\(c), seed \(seed)")
                }
            }
        }
    }

    /// With biases a zero pre-activation is a kink even when the sample is zero (the bias's constant input is not);
    /// without biases a zero pre-activation with a zero input is masked, and one with a nonzero input is a kink. A
    /// linear network has no kinks.
    @Test func kinks() throws {
        let onKink = try Self.tiny(w1: 3, b1: -6, w2: 5, b2: 1, x: 2, y: 4)
        let zeroSample = try Self.tiny(w1: 3, b1: 0, w2: 5, b2: 1, x: 0, y: 4)
        for activation in [ReferenceActivation.relu, .leakyReLU(numerator: 1, denominator: 8), .leakyReLU(numerator: -3, denominator: 1)] {
            for network in [onKink, zeroSample] {
                #expect(throws: ReferenceFailure.kink(sample: 1, layer: 1, unit: 1), "\(activation)") {
                    try DirectHessian.compute(network, activation: activation)
                }
                #expect(throws: ReferenceFailure.kink(sample: 1, layer: 1, unit: 1), "\(activation)") {
                    try FiniteDifferenceHessian.compute(network, activation: activation)
                }
            }
            let biasFree = { (x: Int128) throws -> ReferenceNetwork in
                try ReferenceNetwork(widths: [1, 2, 1], weights: [[[2], [1]], [[1, 1]]], samples: [[1], [x]], targets: [[0], [0]])
            }
            #expect(throws: Never.self) { try DirectHessian.compute(try biasFree(0), activation: activation) }
            let onBiasFreeKink = try ReferenceNetwork(widths: [2, 1, 1], weights: [[[1, -1]], [[1]]], samples: [[2, 2]], targets: [[0]])
            #expect(throws: ReferenceFailure.kink(sample: 1, layer: 1, unit: 1)) {
                try DirectHessian.compute(onBiasFreeKink, activation: activation)
            }
        }
        #expect(throws: Never.self) { try DirectHessian.compute(onKink, activation: .linear) }
    }

    /// An entry beyond Int128 is reported as `.overflow` (not a trap): from the weights, and from the scaling of a
    /// leaky slope, b^(L-1) = (2^16)^8 = 2^128 for nine layers.
    @Test func overflowIsReported() throws {
        let big = Int128(1) << 100
        let huge = try ReferenceNetwork(widths: [1, 1, 1], weights: [[[big]], [[big]]], biases: [[1], [1]], samples: [[1]], targets: [[0]])
        for activation in [ReferenceActivation.linear, .relu, .leakyReLU(numerator: 1, denominator: 2)] {
            #expect(throws: ReferenceFailure.overflow) { try DirectHessian.compute(huge, activation: activation) }
            #expect(throws: ReferenceFailure.overflow) { try FiniteDifferenceHessian.compute(huge, activation: activation) }
        }
        let deep = try ReferenceNetwork(widths: [Int](repeating: 1, count: 10), weights: [[[Int128]]](repeating: [[1]], count: 9),
                                        biases: [[Int128]](repeating: [1], count: 9), samples: [[1]], targets: [[0]])
        let fine = ReferenceActivation.leakyReLU(numerator: 1, denominator: 1 << 16)
        #expect(throws: ReferenceFailure.overflow) { try DirectHessian.compute(deep, activation: fine) }
        #expect(throws: ReferenceFailure.overflow) { try FiniteDifferenceHessian.compute(deep, activation: fine) }
        #expect(throws: ReferenceFailure.overflow) { try fine.hessianScale(depth: 5) }
        #expect(try fine.hessianScale(depth: 4) == Int128(1) << 96)
        #expect(try DirectHessian.compute(deep, activation: .relu).parameterCount == 18)
    }
}
