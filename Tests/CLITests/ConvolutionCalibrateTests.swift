import Foundation
import Testing

/// `calibrate --preset conv` and `calibrate --input ... --layers ...`: float64 spectra of linear CNNs' Hessians, every
/// rule judged against the exact rank (the float Hessians themselves are checked against the exact ones in
/// `FloatConvolutionHessianTests`; here the command line).
@Suite struct ConvolutionCalibrateTests {
    /// The preset as JSON: twelve networks given by input and layers, three parts each, every part with an exact
    /// reference rank (a Monte Carlo bound below 1e-12) within its proven upper bound and no formula, every verdict
    /// consistent with its rank (right when equal to the reference, else wrong by the distance), the summary's counts
    /// adding up.
    @Test func presetAsJSON() throws {
        let run = try Binary.run(["calibrate", "--preset", "conv", "--json"], environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["formatVersion"] as? Int == 4 && object["activation"] as? String == "linear" && object["loss"] as? String == "mse")
        let cases = try #require(object["cases"] as? [[String: Any]])
        #expect(cases.count == 12)
        var counts: [String: [String: Int]] = [:]
        for c in cases {
            #expect(c["architecture"] == nil && (c["input"] as? String) != nil && (c["layers"] as? String) != nil)
            #expect(c["data"] as? String == "integer")
            let scaling = try #require(c["scaling"] as? [String: Any])
            #expect(scaling["data"] as? Int == 4 && scaling["targets"] as? Int == 4)
            let parts = try #require(c["parts"] as? [[String: Any]])
            #expect(parts.map { $0["part"] as? String } == ["loss", "outer", "functional"])
            for part in parts {
                #expect(part["reference"] as? String == "exact" && part["formula"] == nil)
                let reference = try #require(part["referenceRank"] as? Int)
                #expect(((part["referenceErrorBound"] as? Double) ?? 1) < 1e-12)
                let bound = try #require(part["upperBound"] as? Int)
                #expect(reference <= bound && !((part["upperBoundStatement"] as? String) ?? "").isEmpty)
                #expect((part["spectrum"] as? [Double])?.count ?? 0 >= bound)
                for outcome in try #require(part["outcomes"] as? [[String: Any]]) {
                    let rank = try #require(outcome["rank"] as? Int), rule = try #require(outcome["rule"] as? String)
                    let expected = rank == reference ? "right" : "wrong"
                    #expect(outcome["verdict"] as? String == expected, "\(c["layers"] ?? "") \(rule): \(rank) against \(reference)")
                    #expect(outcome["missBy"] as? Int == (rank == reference ? nil : abs(rank - reference)))
                    counts[rule, default: [:]][expected, default: 0] += 1
                }
            }
        }
        for summary in try #require(object["summary"] as? [[String: Any]]) {
            let rule = try #require(summary["rule"] as? String)
            #expect(summary["total"] as? Int == 36 && summary["undecided"] as? Int == 0)
            #expect(summary["agreements"] as? Int == counts[rule]?["right"] ?? 0, "\(rule)")
            #expect(summary["wrong"] as? Int == counts[rule]?["wrong"] ?? 0, "\(rule)")
        }
        #expect(object["recommended"] as? String != nil)
    }

    /// One network: the table (labelled by input and layers, the proven bound last), the summary, a plot; the same
    /// float spectra from the same seed twice.
    @Test func oneNetwork() throws {
        let plot = FileManager.default.temporaryDirectory.appendingPathComponent("calibrate-conv-\(UUID().uuidString).svg").path
        defer { try? FileManager.default.removeItem(atPath: plot) }
        // 1 x 6, conv 2 x 3 (valid: 4 positions), dense to 2: p = 6 + 2 * 8 = 22; H_O has N K = 8 rows.
        let arguments = ["calibrate", "--input", "1x6", "--layers", "conv:2:3,dense:2", "--samples", "4", "--seed", "1"]
        let run = try Binary.run(arguments + ["--plot", plot])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("network               N    part reference"))
        #expect(run.stdout.contains("1x6 conv:2:3,dense:2  4    H_O  8 (exact)     8      8"))
        #expect(run.stdout.contains("bound: the tightest upper bound proven at the exact point"))
        #expect(run.stdout.contains("summary for linear convolutional networks (3 spectra)"))
        #expect(run.stdout.contains("recommended: "))
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains("1x6 conv:2:3,dense:2 linear N=4 H_O") && svg.contains("exact 8"))
        let first = try Binary.run(arguments + ["--json"]), second = try Binary.run(arguments + ["--json"])
        func spectra(_ run: Run) throws -> [[Double]] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let cases = try #require(object["cases"] as? [[String: Any]])
            #expect(cases.count == 1 && cases[0]["input"] as? String == "1x6" && cases[0]["layers"] as? String == "conv:2:3,dense:2")
            return try #require(cases[0]["parts"] as? [[String: Any]]).map { ($0["spectrum"] as? [Double]) ?? [] }
        }
        let spectrum = try spectra(first)
        #expect(spectrum.count == 3 && spectrum.allSatisfy { $0.count == 22 })
        #expect(try spectra(second) == spectrum)
    }

    @Test(arguments: [
        (["--input", "1x6", "--layers", "conv:2:3,dense:2", "--samples", "4", "--activation", "relu"],
         "error: --activation relu: the network of --input and --layers is calibrated linear only"),
        (["--preset", "conv", "--activation", "all"], "error: --activation all: --preset conv is calibrated linear only"),
        (["--preset", "conv", "--loss", "cross-entropy"], "error: --loss cross-entropy: --preset conv is calibrated under mse only"),
        (["--input", "1x6", "--layers", "conv:2:3,dense:2", "--samples", "4", "--loss", "log-cosh"],
         "error: --loss log-cosh: the network of --input and --layers is calibrated under mse only"),
        (["--input", "1x6", "--layers", "conv:2:3,dense:2"], "error: --samples: with --input and --layers, give a positive number of samples"),
        (["--input", "1x6", "--layers", "conv:2:3,dense:2", "--samples", "0"], "error: --samples: with --input and --layers, give a positive number of samples"),
        (["--input", "1x6", "--layers", "conv:2:3,dense:2", "--samples", "4", "--arch", "6,2"], "error: --arch 6,2: not with the network of --input and --layers"),
        (["--preset", "conv", "--arch", "6,2", "--samples", "4"], "error: --arch 6,2: not with --preset conv"),
        (["--input", "1x6", "--layers", "conv:2:3,dense:2", "--samples", "4", "--preset", "paper"], "error: --preset paper: the network is given by --input and --layers"),
        (["--preset", "conv", "--samples", "4"], "error: --samples: only with --arch or --input and --layers"),
        (["--input", "1x6", "--layers", "conv:2:3,dense:2", "--samples", "4", "--x", "x.npy"], "error: --x x.npy: not with the network of --input and --layers"),
        (["--preset", "conv", "--data", "uniform01"], "error: --data uniform01: not with --preset conv"),
        (["--input", "1x6"], "error: --layers and --input go together"),
        (["--input", "1x8", "--layers", "conv:2:9,dense:1", "--samples", "2"], "error: --layers: layer 1: a kernel of 9 does not fit the input 1x8"),
        (["--input", "1x32x32", "--layers", "conv:4:3:same,dense:10", "--samples", "2"],
         "error: --layers: p = 40996 parameters; calibrate takes convolutional networks up to p = 4000"),
        (["--preset", "conv", "--absolute", "0"], "error: --absolute: expected a positive number"),
    ])
    func refusals(arguments: [String], message: String) throws {
        let run = try Binary.run(["calibrate"] + arguments)
        #expect(run.status == 2, "\(arguments): \(run.stderr)")
        #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }
}
