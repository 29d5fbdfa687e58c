import Foundation
import Testing

/// `rank --loss cross-entropy|log-cosh`: certified intervals, the JSON, and the refusals.
@Suite struct LossRankTests {
    /// 5,3,4, N = 7 (p = 27), seed 1: under cross-entropy H_O is exact (the 5,3,3 MSE network's), H_F = 2 M_1
    /// min(r, K - 1) = 2 3 3 = 18 meets `functional-L2`, and H_L lies between a proven minor and p = 27.
    @Test func crossEntropyIntervals() throws {
        let run = try Binary.run(["rank", "--arch", "5,3,4", "--samples", "7", "--loss", "cross-entropy"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("\nH_F   18          18 by `functional-L2`"), "\(run.stdout)")
        #expect(run.stdout.contains("exact (its integer problem)"))
        let json = try Binary.run(["rank", "--arch", "5,3,4", "--samples", "7", "--loss", "cross-entropy", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let parts = try #require(object["parts"] as? [String: [String: Any]])
        #expect(object["loss"] as? String == "cross-entropy" && object["parameters"] as? Int == 27)
        #expect(parts["functional"]?["lower"] as? Int == 18 && parts["functional"]?["exact"] as? Bool == true)
        let loss = try #require(parts["loss"])
        #expect(loss["lower"] as? Int == 24 && loss["upper"] as? Int == 24 && loss["statement"] as? String == "loss")
        #expect(parts["outer"]?["precision"] == nil && parts["loss"]?["precision"] is Int)
    }

    /// One layer under log-cosh (4,3, N = 5): H_F = 0 and H_L = H_O = r K = 12 (r = 4), all exact.
    @Test func oneLayerLogCoshIsExact() throws {
        let run = try Binary.run(["rank", "--arch", "4,3", "--samples", "5", "--loss", "log-cosh", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let parts = try #require(object["parts"] as? [String: [String: Any]])
        #expect(parts.values.allSatisfy { $0["exact"] as? Bool == true })
        #expect(parts["loss"]?["lower"] as? Int == 12 && parts["functional"]?["upper"] as? Int == 0)
    }

    @Test func refusals() throws {
        let cases: [([String], String)] = [
            (["--loss", "banana"], "--loss: unknown loss 'banana'; expected mse, cross-entropy, log-cosh"),
            (["--loss", "cross-entropy", "--certify"], "--loss cross-entropy: its ranks are certified intervals already"),
            (["--loss", "log-cosh", "--activation", "leaky-relu:1/8"], "--loss log-cosh: linear, tanh, sigmoid or elu hidden layers"),
            (["--loss", "cross-entropy", "--activation", "relu"], "--loss cross-entropy: linear, tanh, sigmoid or elu hidden layers (small-valued draws put ReLU units on kinks)"),
            (["--activation", "tanh", "--certify"], "--activation tanh: its ranks are certified intervals already"),
        ]
        for (extra, message) in cases {
            let run = try Binary.run(["rank", "--arch", "4,3,2", "--samples", "5"] + extra)
            #expect(run.status == 2 && run.stderr.contains(message), "\(extra): \(run.stderr)")
        }
        let oneClass = try Binary.run(["rank", "--arch", "4,3,1", "--samples", "5", "--loss", "cross-entropy"])
        #expect(oneClass.status == 2 && oneClass.stderr.contains("needs at least 2 outputs (classes); got K = 1"))
        let large = try Binary.run(["rank", "--arch", "80,50,5", "--samples", "5", "--loss", "cross-entropy"])
        #expect(large.status == 2 && large.stderr.contains("p = 4250 parameters is above the limit of 4000"))
        let files = try Binary.run(["rank", "--arch", "4,3,2", "--x", "x.npy", "--loss", "cross-entropy"])
        #expect(files.status == 2 && files.stderr.contains("--loss cross-entropy: --x and --y only with --weights"))
    }
}
