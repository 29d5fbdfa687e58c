// rank --weights with --loss cross-entropy|log-cosh or --activation tanh|sigmoid|elu: certified intervals at exactly
// the files' values, through the binary.
import ExactAlgebra
import Foundation
import NetworkModel
import NPYFormat
import Testing

@Suite struct LossWeightsTests {
    typealias Folder = WeightFilesTests.Folder

    static func json(_ run: Run) throws -> [String: Any] {
        try #require(run.status == 0, "stderr: \(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    /// The parts of a `rank --loss --json` document with what makes an interval: lower, upper, statement, precision.
    static func intervals(_ object: [String: Any]) throws -> [String: [String]] {
        let parts = try #require(object["parts"] as? [String: [String: Any]])
        return parts.mapValues { part in
            ["lower", "upper", "statement", "precision", "exact"].map { key in part[key].map { "\($0)" } ?? "-" }
        }
    }

    /// Row-major doubles of an integer matrix over 2^exponent (exact: small integers, moderate exponents).
    static func values(_ m: IntegerMatrix, over exponent: Int) -> [Double] {
        (0..<m.rowCount).flatMap { i in (0..<m.columnCount).map { j in Double(m[i, j]) / pow(2, Double(exponent)) } }
    }

    /// The drawn network's dyadic point of `--point normalized` (W_t / 2^a_t, x / 2^b, b_t / 2^(b + a_1 + ... + a_t),
    /// y / 2^c, the exponents printed in `scaling`), written to files: the same values, so `rank --weights` must give
    /// the same intervals (same balls, same minors, same statements).
    @Test(arguments: [
        (["--arch", "5,4,3", "--samples", "6", "--bias", "--activation", "tanh"], "mse"),
        (["--arch", "5,3,4", "--samples", "7"], "cross-entropy"),
        (["--arch", "4,3,3,2", "--samples", "6", "--bias", "--activation", "sigmoid"], "log-cosh"),
        (["--arch", "4,4,3", "--samples", "5", "--activation", "elu"], "cross-entropy"),
    ])
    func normalizedDrawFromFilesHasTheSameIntervals(_ draw: [String], _ loss: String) throws {
        let drawn = try Self.json(Binary.run(["rank"] + draw + ["--loss", loss, "--point", "normalized", "--json"]))
        let scaling = try #require(drawn["scaling"] as? [String: Any])
        let a = try #require(scaling["weights"] as? [Int]), b = try #require(scaling["data"] as? Int)
        let c = try #require(scaling["targets"] as? Int)
        let widths = try #require(drawn["architecture"] as? [Int]), bias = drawn["bias"] as? Bool == true
        let samples = try #require(drawn["samples"] as? Int)
        // The seed drawn (an elu draw with a pre-activation at 0 is drawn again at seed + k 2^32).
        let seedText = try #require(drawn["seed"] as? String)
        let seed = try #require(UInt64(seedText))
        let problem = try Generator.drawForLoss(Architecture(widths: widths, bias: bias), samples: samples,
                                                loss: Loss(parsing: loss), seed: seed)
        let folder = try Folder()
        var scale = b
        for t in 0..<(widths.count - 1) {
            scale += a[t]
            try folder.save("w\(t + 1).npy", [widths[t + 1], widths[t]], Self.values(problem.weights[t], over: a[t]))
            if bias { try folder.save("b\(t + 1).npy", [widths[t + 1]], Self.values(problem.biases[t], over: scale)) }
        }
        let x = try folder.save("x.npy", [samples, widths[0]], Self.values(problem.x, over: b))
        let y = try folder.save("y.npy", [samples, widths[widths.count - 1]], Self.values(problem.y, over: c))
        let activation = draw.firstIndex(of: "--activation").map { draw[$0 + 1] } ?? "linear"
        let files = try Self.json(Binary.run(["rank", "--weights", folder.url.path, "--x", x, "--y", y, "--loss", loss,
                                              "--activation", activation, "--json"]))
        #expect(try Self.intervals(files) == Self.intervals(drawn), "\(draw) \(loss)")
        #expect(files["seed"] == nil && files["scaling"] == nil && files["inputExponents"] is [String: Any])
        #expect(files["dataRank"] as? Int == drawn["dataRank"] as? Int && files["parameters"] as? Int == drawn["parameters"] as? Int)
    }

    /// A tanh network 3,4,2 (no biases) whose hidden units 1 and 2 are one unit twice: the same row of W_1 and the
    /// same column of W_2. Its Jacobian's columns for W_2[:, 1] and W_2[:, 2] are equal (e_k tanh(w x_n)), and so are
    /// those for W_1[1, :] and W_1[2, :] (c tanh'(w x_n) x_n): the column space is exactly that of the 3,3,2 network
    /// with the unit merged (outgoing column 2c), p = 15. N K = 40 >= 20 rows: at these values rank J = 15 (this
    /// merged network's H_O is proven full rank here), and H_O = sum_n J_n^T A_n J_n with A_n positive definite (mse:
    /// I; log-cosh: sech^2) has the rank of J: 15 = p - K - d, by construction, for both networks. A lower bound
    /// above 15 would be unsound; the intervals must be exactly [15, 15] for the merged network and contain 15,
    /// proven as their lower bound, for the duplicated one.
    @Test(arguments: ["mse", "log-cosh"])
    func duplicatedTanhUnitHasTheMergedRank(_ loss: String) throws {
        var stream = SplitMix64(seed: 7)
        func draw(_ count: Int) -> [Double] { (0..<count).map { _ in Double(stream.uniform(in: -8...8)) / 8 } }
        let n = 20
        let w1 = draw(9), w2 = draw(6), x = draw(n * 3), y = draw(n * 2)
        // Merged: rows u0, u1, u2 of W_1; W_2 columns 2c, c1, c2. Duplicated: u0 twice, c twice.
        let merged = try Folder(), duplicated = try Folder()
        try merged.save("w1.npy", [3, 3], w1)
        var mergedW2: [Double] = [], duplicatedW2: [Double] = []
        for k in 0..<2 {
            let (c, c1, c2) = (w2[3 * k], w2[3 * k + 1], w2[3 * k + 2])
            mergedW2 += [2 * c, c1, c2]
            duplicatedW2 += [c, c, c1, c2]
        }
        try merged.save("w2.npy", [2, 3], mergedW2)
        try duplicated.save("w1.npy", [4, 3], Array(w1[0..<3]) + w1)
        try duplicated.save("w2.npy", [2, 4], duplicatedW2)
        var ranks: [[String: [String: Any]]] = []
        for folder in [merged, duplicated] {
            let xFile = try folder.save("x.npy", [n, 3], x), yFile = try folder.save("y.npy", [n, 2], y)
            let object = try Self.json(Binary.run(["rank", "--weights", folder.url.path, "--x", xFile, "--y", yFile,
                                                   "--activation", "tanh", "--loss", loss, "--json"]))
            ranks.append(try #require(object["parts"] as? [String: [String: Any]]))
        }
        #expect(ranks[0]["outer"]?["lower"] as? Int == 15 && ranks[0]["outer"]?["exact"] as? Bool == true, "\(ranks[0])")
        let outer = try #require(ranks[1]["outer"])
        #expect(outer["lower"] as? Int == 15 && (outer["upper"] as? Int ?? 0) >= 15, "\(outer)")
        // Every lower bound of the duplicated network is sound: at most p = 20, and H_O's at most 15.
        #expect(ranks[1].values.allSatisfy { ($0["lower"] as? Int ?? 99) <= 20 })
    }

    /// A linear network from files under log-cosh: H_O = J^T diag(sech^2) J has the rank of J, the exact MSE H_O's,
    /// which `rank --weights` (mse, exact over Q) computes by another route.
    @Test func linearLogCoshOuterIsTheExactMSEOuter() throws {
        var stream = SplitMix64(seed: 3)
        func draw(_ count: Int) -> [Double] { (0..<count).map { _ in Double(stream.uniform(in: -16...16)) / 16 } }
        let folder = try Folder()
        try folder.save("w1.npy", [3, 5], draw(15))
        try folder.save("w2.npy", [2, 3], draw(6))
        let x = try folder.save("x.npy", [4, 5], draw(20)), y = try folder.save("y.npy", [4, 2], draw(8))
        let arguments = ["rank", "--weights", folder.url.path, "--x", x, "--y", y, "--json"]
        let exact = try Self.json(Binary.run(arguments))
        let interval = try Self.json(Binary.run(arguments + ["--loss", "log-cosh"]))
        let outer = try #require((interval["parts"] as? [String: [String: Any]])?["outer"])
        let mseOuter = try #require((exact["ranks"] as? [String: Int])?["outer"])
        #expect(outer["exact"] as? Bool == true && outer["lower"] as? Int == mseOuter && mseOuter > 0, "\(outer) \(mseOuter)")
    }

    @Test func refusals() throws {
        let folder = try Folder()
        try folder.save("w1.npy", [3, 2], [0.5, -1, 0.25, 1, -0.75, 2])
        try folder.save("w2.npy", [2, 3], [1, -1, 0.5, 2, 0.125, -1])
        let x = try folder.save("x.npy", [2, 2], [1, 0.5, -1, 2])
        let soft = try folder.save("soft.npy", [2, 2], [0.25, 0.75, 0.5, 0.5])
        let unnormalized = try folder.save("bad.npy", [2, 2], [0.25, 0.75, 0.5, 0.625])
        let negative = try folder.save("neg.npy", [2, 2], [1, 0, 1.5, -0.5])
        let zeroData = try folder.save("x0.npy", [2, 2], [0, 0, 1, 1])
        func rank(_ extra: [String], y: String = soft, x dataFile: String = x) throws -> Run {
            try Binary.run(["rank", "--weights", folder.url.path, "--x", dataFile, "--y", y] + extra)
        }
        #expect(try rank(["--loss", "cross-entropy"]).status == 0, "soft targets that are probability vectors")
        let cases: [([String], String, String)] = [
            (["--loss", "cross-entropy"], unnormalized, "--y \(unnormalized): row 1 does not sum to exactly 1: --loss cross-entropy needs probability vectors"),
            (["--loss", "cross-entropy"], negative, "--y \(negative): row 1 has a negative entry in column 1"),
            (["--activation", "tanh", "--point", "normalized"], soft, "--point normalized: not with --weights: the files' values are the point"),
            (["--activation", "tanh", "--arch", "2,3,2"], soft, "--weights: the files give the network and data; leave out --arch"),
            (["--loss", "log-cosh", "--activation", "relu"], soft, "--loss log-cosh: linear, tanh, sigmoid or elu hidden layers (relu and leaky-relu under these losses: not yet)"),
            (["--activation", "sigmoid", "--certify"], soft, "--activation sigmoid: its ranks are certified intervals already"),
        ]
        for (extra, y, message) in cases {
            let run = try rank(extra, y: y)
            #expect(run.status == 2 && run.stdout.isEmpty && run.stderr.contains(message), "\(extra): \(run.stderr)")
        }
        // elu at a pre-activation exactly 0 (sample 0 is the zero vector): no second derivative there.
        let elu = try rank(["--activation", "elu"], x: zeroData)
        #expect(elu.status == 2 && elu.stderr.contains("--weights \(folder.url.path): sample 0: the pre-activation of unit 0 in layer 1 is not proven nonzero"), "\(elu.stderr)")
        let drawnWeights = try Binary.run(["rank", "--arch", "2,3,2", "--x", x, "--activation", "tanh"])
        #expect(drawnWeights.status == 2 && drawnWeights.stderr.contains("--activation tanh: --x and --y only with --weights"))
        // One class under cross-entropy, and p above the ball limit: judged from the headers.
        let one = try Folder()
        try one.save("w1.npy", [3, 2], [1, 1, 1, 1, 1, 1])
        try one.save("w2.npy", [1, 3], [1, 1, 1])
        let y1 = try one.save("y.npy", [2, 1], [1, 1])
        let oneClass = try Binary.run(["rank", "--weights", one.url.path, "--x", x, "--y", y1, "--loss", "cross-entropy"])
        #expect(oneClass.status == 2 && oneClass.stderr.contains("--loss cross-entropy: needs at least 2 outputs (classes); got K = 1"))
        let large = try Folder()
        try large.save("w1.npy", [50, 80], [Double](repeating: 1, count: 4000))
        try large.save("w2.npy", [5, 50], [Double](repeating: 1, count: 250))
        let xl = try large.save("x.npy", [1, 80], [Double](repeating: 1, count: 80))
        let yl = try large.save("y.npy", [1, 5], [Double](repeating: 0.2, count: 5))
        let tooLarge = try Binary.run(["rank", "--weights", large.url.path, "--x", xl, "--y", yl, "--activation", "tanh"])
        #expect(tooLarge.status == 2 && tooLarge.stderr.contains("--activation tanh: p = 4250 parameters is above the limit of 4000"))
    }
}
