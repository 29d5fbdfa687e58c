import Foundation
import Testing

/// `sweep --loss`: a study's points as certified intervals, and its refusals.
@Suite struct SweepLossTests {
    /// The depth study's first point (16,25,10, N = 50, p = 650) under cross-entropy, as JSON. Its H_O is exact
    /// and equals the paper's formula with K - 1 = 9 classes at generic data of rank r = 16: q (r + K - 1 - q) with
    /// q = min(16, 9, 25) = 9, = 9 16 = 144, by hand; H_F at L = 2 is 2 M_1 min(r, K - 1) = 2 25 9 = 450 at most
    /// (`functional-L2`), and every interval is sound.
    @Test func depthStudyFirstPointUnderCrossEntropy() throws {
        let run = try Binary.run(["sweep", "--study", "depth", "--loss", "cross-entropy", "--max-parameters", "700", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["formatVersion"] as? Int == 1 && object["loss"] as? String == "cross-entropy")
        let points = try #require(object["points"] as? [[String: Any]])
        #expect(points.count == 1 && points[0]["parameters"] as? Int == 650 && points[0]["dataRank"] as? Int == 16)
        let parts = try #require(points[0]["parts"] as? [String: [String: Any]])
        #expect(parts["outer"]?["lower"] as? Int == 144 && parts["outer"]?["exact"] as? Bool == true)
        #expect(parts["functional"]?["upper"] as? Int == 450 && parts["functional"]?["statement"] as? String == "functional-L2")
        for part in parts.values {
            let (lower, upper) = (try #require(part["lower"] as? Int), try #require(part["upper"] as? Int))
            #expect(lower <= upper && (part["exact"] as? Bool) == (lower == upper))
        }
        let scaling = try #require(points[0]["scaling"] as? [String: Any])
        #expect((scaling["weights"] as? [Int])?.count == 2)
    }

    @Test func refusals() throws {
        let cases: [([String], String)] = [
            (["--loss", "cross-entropy", "--shard", "1/2"], "a study of certified intervals runs whole"),
            (["--loss", "cross-entropy", "--activation", "relu"], "linear, tanh, sigmoid or elu hidden layers"),
            (["--loss", "cross-entropy", "--data-rank", "65"], "--data-rank: expected 0...64"),
            (["--loss", "cross-entropy", "--max-parameters", "100"], "every point of the width study has more than 100 parameters"),
            (["--data-rank", "3"], "--data-rank: only with --loss"),
            (["--activation", "tanh", "--plot", "x.svg"], "--activation tanh: a study of certified intervals runs whole"),
        ]
        for (extra, message) in cases {
            let run = try Binary.run(["sweep", "--study", "width"] + extra)
            #expect(run.status == 2 && run.stderr.contains(message), "\(extra): \(run.stderr)")
        }
    }
}
