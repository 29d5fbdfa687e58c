// `hessian-rank bench --conjecture n`: how many small networks per minute `hessian-rank conjecture` checks in generic
// mode, the paper's three formulas standing in for a user's (no proven attainment conditions).
import ExactAlgebra
import Foundation
import HessianCore
import RankFormulas

extension Bench {
    func runConjecture(networks n: Int) throws {
        let grid = try ConjectureGrid(inputs: IntegerSet(Array(1...10)), depths: IntegerSet(Array(1...4)),
                                      hidden: IntegerSet(Array(1...8)), outputs: IntegerSet(Array(1...6)),
                                      samples: IntegerSet(Array(1...16)), dataRanks: .full, biases: [false],
                                      activations: [.linear], losses: [.mse], maximumParameters: 200)
        let cases = grid.randomCases(n, seed: seed)
        let checker = ConjectureCheck(conjecture: BuiltInConjectures.paper, options: RankOptions(),
                                      fieldPrime: Primes.fromSystemEntropy())
        let clock = ContinuousClock()
        let start = clock.now
        var failed = 0, redrawn = 0
        for (i, c) in cases.enumerated() {
            let result = try checker.check(c, seed: seed &+ UInt64(i))
            if result.failed { failed += 1 }
            if result.seeds.count > 1 { redrawn += 1 }
        }
        let seconds = (clock.now - start).seconds
        let parameters = cases.map(\.architecture.parameterCount)
        print("\(cases.count) networks (p from \(parameters.min() ?? 0) to \(parameters.max() ?? 0), mean "
              + String(format: "%.0f", Double(parameters.reduce(0, +)) / Double(max(1, cases.count)))
              + "), 3 formulas each, generic mode: "
              + String(format: "%.2f s, %.0f networks per minute", seconds, Double(cases.count) / seconds * 60)
              + "; \(failed) failed, \(redrawn) redrawn; peak \(Self.peakResidentMiB()) MiB")
    }
}
