// Data from files wherever the tool would otherwise draw them (--x, --y: rank, sweep, calibrate, fixtures), through the
// binary. Every expected value is known by construction: the streams of a draw are one per purpose, so the weights of
// --x are those of the draw without it; and values given as integers over powers of two are one integer problem
// (`Problem.exactWithExponents`), whatever route gives them.
import ExactAlgebra
import Foundation
import NPYFormat
import Testing

@Suite struct DataFileTests {
    typealias Folder = WeightFilesTests.Folder

    static func json(_ run: Run) throws -> [String: Any] {
        try #require(run.status == 0, "stderr: \(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    /// `rows` x `columns` integers in `range` from seed `seed` (row-major), divided by `denominator`.
    static func values(_ rows: Int, _ columns: Int, in range: ClosedRange<Int> = -16...16, over denominator: Double = 1,
                       seed: UInt64) -> [Double] {
        var g = SplitMix64(seed: seed)
        return (0..<(rows * columns)).map { _ in Double(g.uniform(in: range)) / denominator }
    }

    /// A matrix of `inputs` (rows of decimal strings) over 2^exponent, exactly (every entry here is below 2^53).
    static func readBack(_ rows: [[String]], _ exponent: Int) -> [Double] {
        rows.joined().map { Double($0)! / Double(sign: .plus, exponent: exponent, significand: 1) }
    }

    /// The draw of --seed with its own data (and targets) written to files: rank --x (--y) reads them back and is the
    /// same network, since the weights, biases and targets come from their own streams of the seed. Without --y the
    /// targets are the draw's too. Integer files have exponents 0.
    @Test func fileDataWithDrawnWeightsIsTheDrawWithItsDataReplaced() throws {
        let folder = try Folder()
        let drawn = try Self.json(Binary.run(["rank", "--arch", "4,3,2", "--samples", "6", "--seed", "7", "--bias", "--json"]))
        let inputs = try #require(drawn["inputs"] as? [String: Any])
        let x = try folder.save("x.npy", [6, 4], Self.readBack(try #require(inputs["x"] as? [[String]]), 0))
        let y = try folder.save("y.npy", [6, 2], Self.readBack(try #require(inputs["y"] as? [[String]]), 0))
        for extra in [["--y", y], []] {
            let object = try Self.json(Binary.run(["rank", "--arch", "4,3,2", "--bias", "--seed", "7", "--x", x, "--json"] + extra))
            #expect(NSDictionary(dictionary: try #require(object["inputs"] as? [String: Any])).isEqual(to: inputs), "\(extra)")
            #expect(object["ranks"] as? [String: Int] == drawn["ranks"] as? [String: Int] && object["samples"] as? Int == 6)
            let exponents = try #require(object["inputExponents"] as? [String: Any])
            #expect(exponents["x"] as? Int == 0 && exponents["y"] as? Int == 0 && exponents["biases"] as? [Int] == [0, 0])
        }
    }

    /// Drawn weights and biases on dyadic data (X / 8, Y / 4): rank's `inputs` / 2^`inputExponents` give back the
    /// files' values and the drawn integers, and rank --weights at exactly those values (written back as .npy files)
    /// is the same integer problem (both go through `Problem.exactWithExponents` on the same values), so it has the
    /// same `inputs`, exponents and ranks. The report names the file.
    @Test(arguments: ["linear", "relu"])
    func rankAtFileDataEqualsRankAtThoseWeightsWrittenBack(_ activation: String) throws {
        let folder = try Folder(), back = try Folder()
        let xValues = Self.values(7, 4, over: 8, seed: 1), yValues = Self.values(7, 2, over: 4, seed: 2)
        let x = try folder.save("x.npy", [7, 4], xValues), y = try folder.save("y.npy", [7, 2], yValues)
        let arguments = ["rank", "--arch", "4,3,2", "--bias", "--seed", "3", "--x", x, "--y", y, "--activation", activation]
        let object = try Self.json(Binary.run(arguments + ["--json"]))
        let inputs = try #require(object["inputs"] as? [String: Any])
        let exponents = try #require(object["inputExponents"] as? [String: Any])
        let weightExponents = try #require(exponents["weights"] as? [Int]), biasExponents = try #require(exponents["biases"] as? [Int])
        #expect(weightExponents == [0, 0] && biasExponents == [3, 3] && exponents["x"] as? Int == 3 && exponents["y"] as? Int == 3,
                "drawn integers, data over 2^3, targets over 2^2 raised to the data's scale: \(exponents)")
        #expect(Self.readBack(try #require(inputs["x"] as? [[String]]), 3) == xValues)
        #expect(Self.readBack(try #require(inputs["y"] as? [[String]]), 3) == yValues)
        let weights = try #require(inputs["weights"] as? [[[String]]]), biases = try #require(inputs["biases"] as? [[String]])
        try back.save("w1.npy", [3, 4], Self.readBack(weights[0], weightExponents[0]))
        try back.save("w2.npy", [2, 3], Self.readBack(weights[1], weightExponents[1]))
        try back.save("b1.npy", [3], Self.readBack([biases[0]], biasExponents[0]))
        try back.save("b2.npy", [2], Self.readBack([biases[1]], biasExponents[1]))
        #expect(Self.readBack([biases[0]], biasExponents[0]).allSatisfy { $0 == $0.rounded() && $0 != 0 }, "drawn nonzero integers")
        let atWeights = try Self.json(Binary.run(["rank", "--weights", back.url.path, "--x", x, "--y", y, "--activation", activation, "--json"]))
        #expect(atWeights["ranks"] as? [String: Int] == object["ranks"] as? [String: Int])
        #expect(NSDictionary(dictionary: try #require(atWeights["inputs"] as? [String: Any])).isEqual(to: inputs))
        #expect(NSDictionary(dictionary: try #require(atWeights["inputExponents"] as? [String: Any])).isEqual(to: exponents))
        let report = try Binary.run(arguments)
        #expect(report.status == 0 && report.stdout.contains(", data from \(x), targets from \(y) (exact values)"), "\(report.stdout)")
    }

    /// Integer data and targets (X, Y) and the same over 2^3 (X / 8, Y / 8) are one integer problem: the integer problem
    /// of (W, X / 8, Y / 8) is (W, X, Y) at scale 2^3, since a bias-free linear or ReLU network is positively
    /// homogeneous (f(X / 8) = f(X) / 8), so the loss is 1/64 of the integer one. Same `inputs`, same ranks; only the
    /// exponents differ. With biases this is not so: the drawn b_t stands beside X / 8 instead of X, a different point
    /// (the integer problem is (W, X, 8 b, Y)), whose ranks need not agree; what holds by construction there is that
    /// the biases are brought to the data's scale: `inputs.biases` are 8 times the drawn ones.
    @Test(arguments: ["linear", "relu"])
    func fractionalDataAndTargetsHaveTheRanksOfTheirIntegers(_ activation: String) throws {
        let folder = try Folder()
        let xValues = Self.values(9, 5, seed: 4), yValues = Self.values(9, 3, seed: 5)
        let integers = (x: try folder.save("x.npy", [9, 5], xValues), y: try folder.save("y.npy", [9, 3], yValues))
        let eighths = (x: try folder.save("x8.npy", [9, 5], xValues.map { $0 / 8 }), y: try folder.save("y8.npy", [9, 3], yValues.map { $0 / 8 }))
        func rank(_ files: (x: String, y: String), bias: Bool = false) throws -> [String: Any] {
            try Self.json(Binary.run(["rank", "--arch", "5,4,3", "--seed", "5", "--x", files.x, "--y", files.y,
                                      "--activation", activation, "--json"] + (bias ? ["--bias"] : [])))
        }
        let (whole, scaled) = (try rank(integers), try rank(eighths))
        #expect(whole["ranks"] as? [String: Int] == scaled["ranks"] as? [String: Int])
        #expect(NSDictionary(dictionary: try #require(whole["inputs"] as? [String: Any]))
                    .isEqual(to: try #require(scaled["inputs"] as? [String: Any])))
        let exponents = try #require(scaled["inputExponents"] as? [String: Any])
        #expect(exponents["x"] as? Int == 3 && exponents["y"] as? Int == 3 && exponents["weights"] as? [Int] == [0, 0])

        let (wholeBias, scaledBias) = (try rank(integers, bias: true), try rank(eighths, bias: true))
        let drawnBiases = try #require((wholeBias["inputs"] as? [String: Any])?["biases"] as? [[String]])
        let scaledBiases = try #require((scaledBias["inputs"] as? [String: Any])?["biases"] as? [[String]])
        #expect(scaledBiases.map { $0.map { Int($0)! } } == drawnBiases.map { $0.map { 8 * Int($0)! } })
        #expect((scaledBias["inputExponents"] as? [String: Any])?["biases"] as? [Int] == [3, 3])
    }

    /// sweep --x: with --shard, the points that run use the file's first N rows (the depth study's point 0: d = 16,
    /// N = 50, from a 60-row file), and their records say "data": "file:NAME"; the point is rank --x on those 50 rows
    /// at seed + 0. merge refuses such a record beside one of drawn data. The rows needed are those of the points that
    /// run: 10 rows serve the samples study's point 0 (N = 10) but not the whole study (N up to 400).
    @Test func sweepOnAFileRecordsItsDataAndUsesTheFirstRows() throws {
        let folder = try Folder()
        let values = Self.values(60, 16, in: 0...16, seed: 6)
        let x = try folder.save("digits.npy", [60, 16], values)
        let first = try folder.save("first.npy", [50, 16], Array(values.prefix(50 * 16)))
        let run = try Binary.run(["sweep", "--study", "depth", "--x", x, "--shard", "1/9", "--seed", "4"])
        try #require(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(record["data"] as? String == "file:digits.npy" && record["samples"] as? Int == 50 && record["index"] as? Int == 0)
        let point = try Self.json(Binary.run(["rank", "--arch", "16,25,10", "--x", first, "--seed", "4", "--json"]))
        #expect(record["ranks"] as? [String: Int] == point["ranks"] as? [String: Int])

        let mixed = folder.path("mixed.jsonl")
        try (String(lines[0]) + "\n" + String(lines[0]).replacingOccurrences(of: "\"data\":\"file:digits.npy\"", with: "\"data\":\"signed\"") + "\n")
            .write(toFile: mixed, atomically: true, encoding: .utf8)
        let merge = try Binary.run(["merge", mixed])
        #expect(merge.status == 2 && merge.stderr.contains("\(mixed):2: a linear record with signed data among linear records with file:digits.npy data"),
                "\(merge.stderr)")

        let ten = try folder.save("ten.npy", [10, 64], Self.values(10, 64, seed: 7))
        let shard = try Binary.run(["sweep", "--study", "samples", "--x", ten, "--shard", "1/9"])
        #expect(shard.status == 0 && shard.stdout.contains("\"data\":\"file:ten.npy\""), "\(shard.stderr)")
        let whole = try Binary.run(["sweep", "--study", "samples", "--x", ten])
        #expect(whole.status == 2 && whole.stderr.contains("--x \(ten): the data have 10 rows, but point 8 of the samples study has N = 400; give at least 400 rows"),
                "\(whole.stderr)")
    }

    /// Every bad use of --x and --y exits 2 with a message naming the option and the file (or the option it clashes
    /// with), in each command that takes them.
    @Test func badDataFilesAreRefusedNamingOptionAndFile() throws {
        let folder = try Folder()
        let x = try folder.save("x.npy", [6, 4], Self.values(6, 4, seed: 8))
        let y = try folder.save("y.npy", [6, 2], Self.values(6, 2, seed: 9))
        let short = try folder.save("short.npy", [5, 2], Self.values(5, 2, seed: 9))
        let nan = try folder.save("nan.npy", [6, 4], [.nan] + Self.values(6, 4, seed: 8).dropFirst())
        let out = folder.path("out")
        let cases: [([String], String)] = [
            (["rank", "--arch", "5,3,2", "--x", x], "--x \(x): the data have 4 columns but --arch has d = 5 inputs"),
            (["rank", "--arch", "4,3,3", "--x", x, "--y", y], "--y \(y): the targets have 2 columns but --arch has K = 3 outputs"),
            (["rank", "--arch", "4,3,2", "--x", x, "--y", short], "--y \(short): 5 targets for the 6 samples in \(x)"),
            (["rank", "--arch", "4,3,2", "--x", x, "--samples", "5"], "--samples: 5 does not match the 6 rows of --x \(x)"),
            (["rank", "--arch", "4,3,2", "--x", x, "--data-rank", "2"], "--data-rank: not with --x \(x) (the file gives the data)"),
            (["rank", "--arch", "4,3,2", "--x", x, "--field", "prime"], "--field prime: not with --x \(x)"),
            (["rank", "--arch", "4,3,2", "--samples", "6", "--y", y], "--y \(y): only with --x"),
            (["rank", "--x", x], "--x: give the network that reads the data with --arch"),
            (["rank", "--arch", "4,3,2", "--x", nan], "--x \(nan): contains nan"),
            (["rank", "--arch", "4,3,2", "--x", folder.path("missing.npy")], "--x \(folder.path("missing.npy")): "),
            (["rank", "--arch", "4,3,2", "--x", x, "--max-memory", "1K"], "--max-memory: "),
            (["sweep", "--study", "depth", "--x", x, "--shard", "1/9"], "--x \(x): the data have 4 columns but the depth study has d = 16 inputs"),
            (["sweep", "--study", "depth", "--x", x, "--field", "prime"], "--field prime: not with --x \(x)"),
            (["sweep", "--study", "depth", "--x", x, "--data", "signed"], "--data: not with --x \(x)"),
            (["calibrate", "--x", x], "--x \(x): only with --arch"),
            (["calibrate", "--arch", "4,3,2", "--x", x, "--y", short], "--y \(short): 5 targets for the 6 samples in \(x)"),
            (["calibrate", "--arch", "4,3,2", "--x", x, "--data", "integer"], "--data: not with --x \(x)"),
            (["calibrate", "--arch", "4,3,2", "--samples", "6", "--y", y], "--y \(y): only with --x"),
            (["fixtures", "--out", out, "--x", x], "--x \(x): only with --arch"),
            (["fixtures", "--out", out, "--arch", "4,3,2", "--x", x, "--data-rank", "2"], "--data-rank: not with --x \(x)"),
            (["fixtures", "--out", out, "--arch", "4,3,3", "--x", x, "--y", y], "--y \(y): the targets have 2 columns but --arch has K = 3 outputs"),
        ]
        for (arguments, message) in cases {
            let run = try Binary.run(arguments)
            #expect(run.status == 2 && run.stderr.contains(message), "\(arguments.joined(separator: " ")): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out), "a refused fixtures run writes nothing")
    }

    /// calibrate --bias, on drawn and on given data, linear and ReLU: the spectra have p entries with the biases
    /// counted, the formula column is the with-bias conjecture's (rank's `formula`), and H_O's exact reference is
    /// rank's H_O: the same network and data (the same draw, or the same files; for ReLU on files both draw from
    /// -2^20...2^20 and redraw on the same kinks), and H_O does not depend on the targets, which are all the exact
    /// path rescales (`Calibrator`).
    @Test(arguments: ["linear", "relu"])
    func calibrateTakesBiasesOnDrawnAndGivenData(_ activation: String) throws {
        let folder = try Folder()
        let x = try folder.save("x.npy", [8, 6], Self.values(8, 6, over: 16, seed: 10))
        let y = try folder.save("y.npy", [8, 2], Self.values(8, 2, over: 2, seed: 11))
        for data in [["--samples", "8"], ["--x", x, "--y", y], ["--x", x]] {
            let calibration = try Self.json(Binary.run(["calibrate", "--activation", activation, "--arch", "6,3,3,2", "--bias",
                                                        "--seed", "2", "--json"] + data, environment: ["OPENBLAS_NUM_THREADS": "1"]))
            let rank = try Self.json(Binary.run(["rank", "--arch", "6,3,3,2", "--bias", "--seed", "2", "--activation", activation,
                                                 "--json"] + data))
            let calibrated = try #require((calibration["cases"] as? [[String: Any]])?.first)
            #expect(calibrated["data"] as? String == (data.count == 4 ? "x.npy,y.npy" : data.count == 2 && data[0] == "--x" ? "x.npy" : "integer"))
            #expect(calibrated["seed"] as? String == rank["seed"] as? String, "the same redraws")
            let parts = try #require(calibrated["parts"] as? [[String: Any]])
            let formula = try #require(rank["formula"] as? [String: Int]), ranks = try #require(rank["ranks"] as? [String: Int])
            #expect(rank["parameters"] as? Int == 41)
            for part in parts {
                let name = try #require(part["part"] as? String)
                #expect((part["spectrum"] as? [Double])?.count == 41 && part["formula"] as? Int == formula[name], "\(data) \(name)")
                if name == "outer" { #expect(part["referenceRank"] as? Int == ranks["outer"], "\(data)") }
            }
        }
    }

    /// fixtures --x --y: x.npy and y.npy hold the files' values as given (float64, same shape), case.json says where
    /// the data came from, the certified ranks are rank --x's at the same seed (the same plan for a linear network;
    /// for relu, rank draws its weights from -2^20...2^20 and fixtures from -16...16), and the Hessian files
    /// are the true Hessians at those values, fractional where the data are (their values are checked against an
    /// independent NumPy rebuild in Tests/python/test_fixtures.py). Data of 53-bit mantissas (k / 3 in float64) make
    /// the exact Hessian's entries too large for float64: its files are left out, and case.json says why.
    @Test func fixturesOnFileDataHoldTheValuesAsGiven() throws {
        let folder = try Folder(), out = try Folder()
        let xValues = Self.values(6, 4, over: 8, seed: 12), yValues = Self.values(6, 2, over: 4, seed: 13)
        let x = try folder.save("x.npy", [6, 4], xValues), y = try folder.save("y.npy", [6, 2], yValues)
        let arguments = ["--arch", "4,3,2", "--bias", "--seed", "3", "--x", x, "--y", y]
        let run = try Binary.run(["fixtures", "--out", out.url.path] + arguments)
        try #require(run.status == 0, "stderr: \(run.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.url.appendingPathComponent("manifest.json"))) as? [String: Any])
        let name = try #require((manifest["cases"] as? [[String: Any]])?.first?["name"] as? String)
        let fixture = out.url.appendingPathComponent(name)
        let caseObject = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("case.json"))) as? [String: Any])
        #expect(caseObject["data"] as? String == "file:x.npy,y.npy" && caseObject["samples"] as? Int == 6)
        #expect(try NPY.read(contentsOf: fixture.appendingPathComponent("x.npy").path) == NPYArray(shape: [6, 4], values: .float64(xValues)))
        #expect(try NPY.read(contentsOf: fixture.appendingPathComponent("y.npy").path) == NPYArray(shape: [6, 2], values: .float64(yValues)))
        let rank = try Self.json(Binary.run(["rank", "--certify", "--json"] + arguments))
        #expect(caseObject["ranks"] as? [String: Int] == rank["ranks"] as? [String: Int] && caseObject["seed"] as? String == rank["seed"] as? String)
        #expect(caseObject["hessianFiles"] as? [String] == ["hessian_functional.npy", "hessian_loss.npy", "hessian_outer.npy"])
        let loss = try NPY.read(contentsOf: fixture.appendingPathComponent("hessian_loss.npy").path).doubles
        #expect(loss.contains { $0 != $0.rounded() }, "the data's scale is divided out")

        let thirds = try folder.save("thirds.npy", [6, 4], Self.values(6, 4, in: 1...16, over: 3, seed: 14))
        let omitted = try Binary.run(["fixtures", "--out", folder.path("thirds"), "--arch", "4,3,2", "--x", thirds])
        try #require(omitted.status == 0, "stderr: \(omitted.stderr)")
        let thirdsFolder = URL(fileURLWithPath: folder.path("thirds")).appendingPathComponent("01-linear-4x3x2-n6-seed1")
        let thirdsCase = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: thirdsFolder.appendingPathComponent("case.json"))) as? [String: Any])
        #expect(thirdsCase["hessianFiles"] as? [String] == [])
        let reasons = try #require(thirdsCase["hessianFilesOmitted"] as? [String: String])
        #expect(reasons.count == 3 && reasons.values.allSatisfy { $0.contains("2^53 or more in magnitude") }, "\(reasons)")
    }
}
