// `hessian-rank bench --certified`: the speed of certified rank intervals (`LossIntervals`: double-ball Hessians and
// `MidradRank`) where the Hessian is transcendental, on fixed seeded networks at their normalized dyadic points.
import ExactAlgebra
import HessianCore

extension Bench {
    static let certifiedCases: [(name: String, widths: [Int], samples: Int, activation: Activation, loss: Loss)] = [
        ("tanh, mse", [16, 28, 28, 5], 40, .tanh, .mse),
        ("sigmoid, mse", [16, 28, 28, 5], 40, .sigmoid, .mse),
        ("linear, cross-entropy (width study, w = 20)", [64, 20, 20, 10], 100, .linear, .crossEntropy),
    ]

    func runCertified() throws {
        let header = ["network", "N", "p", "seconds", "H_L", "H_O", "H_F"]
        let names = Self.certifiedCases.map { "\($0.widths.map(String.init).joined(separator: ",")) \($0.name)" }
        let widths = [names.map(\.count).max()! + 2, 5, 7, 10, 16, 16, 16]
        func line(_ cells: [String]) -> String { zip(cells, widths).map { Rank.pad($0, $1) }.joined() }
        print(line(header))
        for c in Self.certifiedCases {
            let architecture = try Architecture(widths: c.widths)
            let problem = try Generator.drawForLoss(architecture, samples: c.samples, loss: c.loss, seed: seed)
            let clock = ContinuousClock()
            let start = clock.now
            let intervals = try LossIntervals.analyze(problem, loss: c.loss, activation: c.activation,
                                                      scaling: FloatScaling.normalized(problem))
            let seconds = (clock.now - start).seconds
            func cell(_ part: HessianPart) -> String {
                let interval = intervals.first { $0.part == part }!
                return interval.isExact ? "\(interval.lower)" : "\(interval.lower) ... \(interval.upper.value)"
            }
            print(line(["\(c.widths.map(String.init).joined(separator: ",")) \(c.name)", "\(c.samples)",
                        "\(problem.parameterCount)", String(format: "%.1f", seconds), cell(.loss), cell(.outer), cell(.functional)]))
        }
        print("seconds per network: the certified intervals of all three parts (double-ball Hessians, then MidradRank with the proven upper bound as goal); peak \(Self.peakResidentMiB()) MiB")
    }
}
