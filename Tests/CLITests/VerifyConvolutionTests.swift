// `verify --conv`: the one-hidden-convolution statements on the built-in grid of 90 linear CNNs, through the binary.
// The expected values come from certified ranks computed for proofs/convolution.md (the 2-D networks where equality in
// conv-outer fails) and from the statements' arithmetic by hand (p, d', kappa).
import Foundation
import Testing

@Suite struct VerifyConvolutionTests {
    static func report(_ arguments: [String]) throws -> [String: Any] {
        let run = try Binary.run(["verify", "--conv", "--json"] + arguments)
        #expect(run.status == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    /// Certified: every H_F equals 2 m rank G, every 1-D valid network's H_O meets conv-outer, and the two 2-D shortfalls
    /// are reported within the bound (not failures): 2 x 5 x 5, two 3 x 3 filters, K = 1 (48 of 50) and 1 x 5 x 5, two
    /// 3 x 3 filters, K = 2 (48 of min(2 * 25, 2 (18 + 9 - 2)) = 50).
    @Test func certifiedGridPasses() throws {
        let json = try Self.report(["--certify"])
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary["passed"] as? Bool == true && summary["certified"] as? Bool == true)
        #expect(summary["networks"] as? Int == 90 && summary["functionalIdentityHolds"] as? Int == 90)
        #expect(summary["observationNetworks"] as? Int == 48 && summary["observationEqual"] as? Int == 48)
        #expect(summary["outerWithinElsewhere"] as? Int == 2 && summary["failures"] as? Int == 0 && summary["counterexamples"] as? Int == 0)
        let cases = try #require(json["cases"] as? [[String: Any]])
        let within = cases.filter { c in
            (c["parts"] as? [[String: Any]])?.contains { $0["part"] as? String == "outer" && $0["verdict"] as? String == "within" } == true
        }
        #expect(Set(within.map { "\($0["input"]!) \($0["layers"]!)" }) == ["2x5x5 conv:2:3,dense:1", "1x5x5 conv:2:3,dense:2"])
        for c in within {
            let outer = try #require((c["parts"] as? [[String: Any]])?.first { $0["part"] as? String == "outer" })
            #expect(outer["rank"] as? Int == 48 && outer["value"] as? Int == 50 && outer["statement"] as? String == "conv-outer")
        }
        // 1 x 9, three filters of 2, K = 2: p = 3 * 2 + 2 * 3 * 8 = 54, d' = 8, kappa = 2; rank G <= 2.
        let one = try #require(cases.first { $0["input"] as? String == "1x9" && $0["layers"] as? String == "conv:3:2,dense:2" })
        #expect(one["parameters"] as? Int == 54 && one["positions"] as? Int == 8 && one["filterEntries"] as? Int == 2)
        #expect(one["patchResidualRank"] as? Int == 2 && one["observationApplies"] as? Bool == true)
    }

    /// Modulo random primes the verdicts are the same, and the table names the statements.
    @Test func tableAndSummary() throws {
        let run = try Binary.run(["verify", "--conv"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("input  layers                 N   p    r   rk G  H_O rank/statement verdict"))
        #expect(run.stdout.contains("\n2x5x5  conv:2:3,dense:1       52  54   50  9     48/<=50    within "))
        #expect(run.stdout.contains("PASS: 90 convolutional networks, 270 ranks. H_F = 2 m rank G (conv-functional, proved) on 90 of 90"))
    }

    @Test(arguments: [
        (["--loss", "log-cosh"], "error: --conv: the convolutional statements are about mse; leave out --loss"),
        (["--field", "prime"], "error: --conv: ranks are at integer points (modulo random primes or --certify); leave out --field"),
        (["--activation", "relu"], "error: --activation: verify checks the formulas, which are statements about linear networks"),
    ])
    func refusals(arguments: [String], message: String) throws {
        let run = try Binary.run(["verify", "--conv"] + arguments)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }
}
