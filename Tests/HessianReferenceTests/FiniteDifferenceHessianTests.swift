// Two routes inside the reference agree: the direct route (forward tangents and reverse mode, DirectHessian.swift) and
// exact finite differences of the network with its activation pattern frozen (FiniteDifferenceHessian.swift), entry for
// entry, for every part; and the Hessian taken from the loss itself equals H_O + H_F.
import HessianReference
import Testing

@Suite struct FiniteDifferenceHessianTests {
    /// Every shape of the table, with and without biases, for linear, ReLU and leaky slopes 0, 1/8, -1/2, 2/3 and 3;
    /// three draws off every kink per case (draws on a kink are skipped).
    @Test(arguments: ReferenceCase.table)
    func directEqualsFiniteDifferences(_ c: ReferenceCase) throws {
        var informative = 0
        for seed in [1, 1000, 2000] as [UInt64] {
            let checked = try c.firstOffKink(seed: seed) { network, used in
                let direct = try DirectHessian.compute(network, activation: c.activation)
                let differences = try FiniteDifferenceHessian.compute(network, activation: c.activation)
                #expect(direct.outer == differences.outer, "\(c), seed \(used): H_O by AD != by finite differences")
                #expect(direct.functional == differences.functional, "\(c), seed \(used): H_F by AD != by finite differences")
                #expect(differences.lossFromLoss == direct.loss, "\(c), seed \(used): Hessian of the loss != H_O + H_F")
                #expect(direct.parameterCount == network.parameterCount)
                return direct.outer.contains { $0 != 0 } && direct.functional.contains { $0 != 0 }
            }
            #expect(checked != nil, "\(c), seed \(seed): the first 50 draws all sit on a kink")
            if checked == true { informative += 1 }
        }
        // Not vacuous: some draw has nonzero H_O and H_F (a ReLU network whose units all die has neither).
        #expect(informative > 0, "\(c): every draw has H_O = 0 or H_F = 0")
    }

    /// A bias-free network with an all-zero sample: the units fed by it are masked, not refused, by both routes alike.
    @Test func maskedUnitsAgree() throws {
        for activation in [ReferenceActivation.relu, .leakyReLU(numerator: -1, denominator: 2)] {
            let network = try ReferenceNetwork(widths: [2, 2, 1], weights: [[[1, 2], [-2, 1]], [[2, -3]]],
                                               samples: [[0, 0], [1, 1]], targets: [[1], [2]])
            let direct = try DirectHessian.compute(network, activation: activation)
            let differences = try FiniteDifferenceHessian.compute(network, activation: activation)
            #expect(direct.outer == differences.outer && direct.functional == differences.functional, "\(activation)")
            #expect(differences.lossFromLoss == direct.loss, "\(activation)")
        }
    }
}
