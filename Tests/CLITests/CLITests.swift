import ExactAlgebra
import Foundation
import NPYFormat
import SHA256Digest
import Testing

@Suite struct CLITests {
    /// The main job: no arguments runs verify on the built-in grid and passes.
    @Test func verifyWithNoArgumentsPasses() throws {
        let run = try Binary.run([])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("widths") == true)
        #expect(lines.count >= 62, "header, at least 60 rows, summary")
        #expect(lines.last?.hasPrefix("PASS: ") == true)
        #expect(run.stdout.contains("25,5,10,10     50  275  25  10  5   150/150   equal, certified           175/175   equal, certified"))
        #expect(lines.last?.hasSuffix("certified: all 255 ranks meet an upper bound that holds at every point (proved here or cited: proofs/upper-bounds.md), so each is the rank over Q exactly, whatever the primes") == true)
        #expect(run.stderr.contains("verify: "), "progress goes to stderr")
    }

    @Test func rankJSONIsTheDocumentedInterface() throws {
        let run = try Binary.run(["rank", "--arch", "4,3,2", "--samples", "5", "--seed", "7", "--certify", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["formatVersion"] as? Int == 6)
        #expect(object["activation"] as? String == "linear")
        // 4,3,2 at a generic draw, r = 4, q = 2: H_O meets `outer` (2 (4 + 2 - 2) = 8), H_F the identity of
        // `functional-L2` (2 M_1 rank Omega = 12), H_L the paper's `loss` bound (2 * 6 + 2 * 2 * 3 - 2 * 4 = 16).
        let exactBy = try #require(object["exactBy"] as? [String: [String: Any]])
        #expect(exactBy["outer"]?["statement"] as? String == "outer" && exactBy["outer"]?["value"] as? Int == 8)
        #expect(exactBy["functional"]?["statement"] as? String == "functional-L2" && exactBy["functional"]?["basis"] as? String == "proved here")
        #expect(exactBy["loss"]?["statement"] as? String == "loss" && exactBy["loss"]?["basis"] as? String == "cited")
        // Counted by hand (proofs/reduced-hessian.md): K = 2 is below M_1 = 3, so H_O's first layer needs only
        // col(A^T) x R^4 (8 of 12), giving J Q with N K = 10 rows and 8 + 6 columns; H_F's first layer needs only
        // R^3 x col(Omega^T) (6 of 12), giving 6 + 6; H_L's first layer would need 8 + 6 > 12, so it stays whole.
        let shapes = try #require(object["rankedMatrices"] as? [String: [String: Int]])
        #expect(shapes == ["loss": ["rows": 18, "columns": 18], "outer": ["rows": 10, "columns": 14],
                           "functional": ["rows": 12, "columns": 12]])
        #expect(Set(object.keys).isSuperset(of: ["architecture", "samples", "seed", "parameters", "dataRank", "inputs",
                                                 "ranks", "formula", "verdicts", "conditionsHold", "conditionFailures",
                                                 "attainedByProof", "method", "timings"]))
        // L = 2: H_O and H_F have conditions proven sufficient, both holding at this draw; H_L has none (null).
        let attained = try #require(object["attainedByProof"] as? [String: Any])
        #expect(attained["outer"] as? Bool == true && attained["functional"] as? Bool == true && attained["loss"] is NSNull)
        #expect(object["architecture"] as? [Int] == [4, 3, 2])
        #expect(object["parameters"] as? Int == 18)
        let ranks = try #require(object["ranks"] as? [String: Int])
        #expect(ranks == ["outer": 8, "functional": 12, "loss": 16])
        let inputs = try #require(object["inputs"] as? [String: Any])
        let weights = try #require(inputs["weights"] as? [[[String]]])
        #expect(weights.map(\.count) == [3, 2] && weights.map { $0[0].count } == [4, 3])
        let method = try #require(object["method"] as? [String: Any])
        #expect(method["name"] as? String == "multimodular-hadamard" && method["errorBound"] as? Double == 0)
        #expect(method["primeSource"] as? String == "certification")
    }

    @Test func verifyInGenericMode() throws {
        let run = try Binary.run(["verify", "--field", "prime"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.split(separator: "\n").last?.hasPrefix("PASS: 85 networks, 255 ranks: 255 equal to the formula") == true)
        #expect(run.stdout.contains("generic mode over F_p"))
    }

    @Test func genericModeOnTheDemo() throws {
        let run = try Binary.run(["rank", "--arch", "25,5,10,10", "--samples", "50", "--field", "prime", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["ranks"] as? [String: Int] == ["outer": 150, "functional": 175, "loss": 250])
        #expect((object["method"] as? [String: Any])?["name"] as? String == "prime-field")
    }

    @Test func rankReportNamesTheMethodAndBound() throws {
        let run = try Binary.run(["rank", "--arch", "25,5,10,10", "--samples", "50"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("H_L   250    250"))
        #expect(run.stdout.contains("rank modulo 1 prime drawn from the system's entropy ("))
        #expect(run.stdout.contains("with probability <= ") && run.stdout.contains("for every input, over this choice"))
    }

    /// Each bad input: exit 2, one line on stderr naming the argument, nothing on stdout.
    @Test(arguments: [
        (["rank", "--arch", "3,x,2", "--samples", "4"], "--arch: 'x' is not an integer"),
        (["rank", "--arch", "3,0,2", "--samples", "4"], "--arch: every width must be a positive integer"),
        (["rank", "--arch", "5", "--samples", "4"], "--arch: needs at least two widths"),
        (["rank", "--arch", "3,2", "--samples", "-1"], "--samples: expected a positive integer"),
        (["rank", "--arch", "3,2", "--samples", "2.5"], "--samples: expected a positive integer"),
        (["rank", "--arch", "5,2", "--samples", "3", "--data-rank", "4"], "--data-rank: 4 exceeds min(N, d) = min(3, 5) = 3"),
        (["rank", "--arch", "3,2", "--samples", "0"], "--samples: expected a positive integer"),
        (["rank", "--arch", "3,2", "--samples", "4", "--seed", "-3"], "--seed: expected a non-negative integer"),
        (["rank", "--arch", "3,2", "--samples", "4", "--seed", "x"], "--seed: expected a non-negative integer"),
        (["rank", "--arch", "3,2", "--samples", "4", "--primes", "0"], "--primes: expected an integer from 1 to 64"),
        (["rank", "--arch", "64,300,300,10", "--samples", "4", "--full-matrices"], "--max-memory: the Hessians of 64,300,300,10 (p = 112200) and N = 4 samples would need about"),
        (["rank", "--arch", "64,300,300,10", "--samples", "4", "--max-memory", "2G"], "--max-memory: the reduced Hessians of 64,300,300,10 (p = 112200) and N = 4 samples would need about"),
        (["rank", "--arch", "3,2", "--samples", "100000000000"], "--max-memory: the reduced Hessians of 3,2 (p = 6) and N = 100000000000 samples would need about"),
        (["rank", "--arch", "3,2000000", "--samples", "4"], "--max-memory: the reduced Hessians of 3,2000000 (p = 6000000) and N = 4 samples would need about"),
        (["rank", "--arch", "3,2", "--samples", "4", "--max-memory", "lots"], "--max-memory: expected a positive size"),
        (["rank", "--arch", "64,32,32,10", "--samples", "4", "--certify", "--full-matrices"], "--certify: p = 3392 parameters is above the certification limit of 3000"),
        (["rank", "--arch", "64,60,60,10", "--samples", "100", "--certify"], "--certify: the reduced Hessians of p = 8040 parameters are up to 3040 x 3040, above the certification limit of 3000"),
        (["rank", "--arch", "3,2", "--samples", "4", "--max-memory", "1e308G"], "--max-memory: expected a positive size"),
        (["bench", "--widths", "1000"], "--max-memory: the reduced Hessians of 64,1000,1000,10 (p = 1074000) and N = 100 samples would need about"),
        (["bench", "--widths", "300", "--full-matrices"], "--max-memory: the Hessians of 64,300,300,10 (p = 112200) and N = 100 samples would need about"),
        (["certify", "--arch", "3,2", "--samples", "4", "--part", "hessian", "--out", "x.json"], "--part: expected loss, outer, functional or all; got 'hessian'"),
        (["certify", "--arch", "3,2", "--samples", "4", "--out", "/nonexistent/x.json"], "--out: the directory /nonexistent does not exist"),
        (["certify", "--arch", "3,2", "--samples", "4", "--out", "x.json", "--activation", "tanh"], "--activation: expected linear, relu or leaky-relu[:slope] (e.g. leaky-relu:1/8) (exact ranks need a piecewise-linear network); got 'tanh'"),
        (["check-certificate", "/nonexistent/certificate.json"], "cannot read /nonexistent/certificate.json: no such file"),
        (["calibrate", "--activation", "softplus"], "--activation: expected linear, relu, leaky-relu[:slope] (e.g. leaky-relu:1/8; default slope 1/100), tanh, sigmoid, elu, or all (linear, relu and tanh); got 'softplus'"),
        (["calibrate", "--preset", "huge"], "--preset: expected default, paper or conv; got 'huge'"),
        (["calibrate", "--samples", "5"], "--samples: only with --arch"),
        (["calibrate", "--arch", "4,2", "--absolute", "-1"], "--absolute: expected a positive number"),
        (["sweep", "--study", "width", "--activation", "tanh", "--bias"], "--activation tanh: a study of certified intervals runs whole, drawn, bias-free"),
        (["calibrate", "--activation", "tanh", "--arch", "64,60,60,10", "--samples", "4"], "--arch 64,60,60,10: p = 8040 parameters is above the limit of 4000 for the certified intervals"),
        (["calibrate", "--loss", "hinge"], "--loss: unknown loss 'hinge'; expected mse, cross-entropy, log-cosh"),
        (["calibrate", "--loss", "cross-entropy", "--arch", "4,3,1", "--samples", "3"], "--loss cross-entropy: needs at least 2 outputs (classes); --arch 4,3,1 has K = 1"),
        (["calibrate", "--loss", "log-cosh", "--activation", "leaky-relu"], "--loss log-cosh: linear, relu, tanh, sigmoid or elu hidden layers"),
        (["sweep", "--study", "width", "--activation", "relu", "--loss", "cross-entropy"], "--loss cross-entropy: linear, tanh, sigmoid or elu hidden layers (small-valued draws put ReLU units on kinks); got --activation relu"),
        (["rank", "--arch", "3,2", "--samples", "4", "--field", "reals"], "--field: expected integers or prime; got 'reals'"),
        (["rank", "--arch", "3,2", "--samples", "4", "--field", "prime", "--certify"], "--field prime: generic mode ranks linear networks over F_p"),
        (["rank", "--arch", "3,2", "--samples", "4", "--field", "prime", "--data-rank", "1"], "--data-rank: not with --field prime"),
        (["bias", "--constant-feature"], "--constant-feature and --data-rank: only with --arch and --samples"),
        (["bias", "--grid", "huge"], "--grid: expected default or wide; got 'huge'"),
        (["bias", "--arch", "1000000,2", "--samples", "3"], "--max-memory: the Hessians of 1000001,2 (p = 2000002) and N = 3 samples would need about"),
        (["verify", "--activation", "relu"], "--activation: verify checks the formulas, which are statements about linear networks"),
        (["rank", "--samples", "4"], "Missing expected argument '--arch <widths>'"),
        (["rank", "--arch", "3,2", "--samples", "4", "--bogus"], "Unknown option '--bogus'"),
    ])
    func badInputExitsTwo(arguments: [String], message: String) throws {
        let run = try Binary.run(arguments)
        #expect(run.status == 2, "\(arguments): stderr \(run.stderr)")
        #expect(run.stderr.hasPrefix("error: "), "\(arguments)")
        #expect(run.stderr.contains(message), "\(arguments): stderr \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): one line, got \(run.stderr)")
        #expect(run.stdout.isEmpty, "\(arguments)")
    }

    /// certify writes a file that check-certificate accepts; a changed rank is rejected with exit 1 and its reason.
    @Test func certifyThenCheck() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hessian-rank-certify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("c.json").path
        let made = try Binary.run(["certify", "--arch", "4,3,2", "--samples", "5", "--part", "all", "--out", file])
        #expect(made.status == 0, "stderr: \(made.stderr)")
        #expect(made.stdout.hasPrefix("wrote \(file): valid: rank H_L = 16, rank H_O = 8, rank H_F = 12"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["c.json"], "no temporary file left")
        let checked = try Binary.run(["check-certificate", file])
        #expect(checked.status == 0 && checked.stdout.hasPrefix("valid: rank H_L = 16"))
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"rank\" : 16", with: "\"rank\" : 17").write(toFile: file, atomically: true, encoding: .utf8)
        let tampered = try Binary.run(["check-certificate", file])
        #expect(tampered.status == 1)
        #expect(tampered.stdout == "invalid: loss: claimed rank 17 but the witness minor is 16 x 16\n")

        // A ReLU network: its certificate says so, and the checker rebuilds the masked Hessians.
        let relu = directory.appendingPathComponent("relu.json").path
        let madeReLU = try Binary.run(["certify", "--arch", "6,4,4,2", "--samples", "7", "--activation", "relu", "--out", relu])
        #expect(madeReLU.status == 0, "stderr: \(madeReLU.stderr)")
        let checkedReLU = try Binary.run(["check-certificate", relu])
        #expect(checkedReLU.status == 0 && checkedReLU.stdout.contains("for the ReLU network with widths 6,4,4,2"))
        #expect(try String(contentsOfFile: relu, encoding: .utf8).contains("\"activation\" : \"relu\""))
    }

    /// calibrate on one network: the table, the summary with a recommendation, a plot that is an SVG document.
    @Test func calibrateOneNetwork() throws {
        let plot = FileManager.default.temporaryDirectory.appendingPathComponent("calibrate-\(UUID().uuidString).svg").path
        defer { try? FileManager.default.removeItem(atPath: plot) }
        let run = try Binary.run(["calibrate", "--activation", "linear", "--arch", "8,4,4,3", "--samples", "12", "--plot", plot])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("8,4,4,3        12   H_O  24 (exact)    24"))
        #expect(run.stdout.contains("summary for linear networks (3 spectra)"))
        #expect(run.stdout.contains("exact ranks: modulo a prime drawn from the system's entropy per network; each is a proven lower bound"))
        #expect(run.stdout.contains("recommended: "))
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("exact 24"))
        let json = try Binary.run(["calibrate", "--activation", "relu", "--arch", "6,3,3,2", "--samples", "8", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["formatVersion"] as? Int == 4 && object["activation"] as? String == "relu" && object["loss"] as? String == "mse")
        #expect((object["summary"] as? [Any])?.count == 11)
        // Exact references carry the bound of their Monte Carlo rank (a prime from the system's entropy).
        let cases = try #require(object["cases"] as? [[String: Any]])
        let parts = try #require(cases.first?["parts"] as? [[String: Any]])
        #expect(parts.allSatisfy { $0["reference"] as? String == "exact" && (($0["referenceErrorBound"] as? Double) ?? 1) < 1e-12 })
        let all = try Binary.run(["calibrate", "--activation", "all", "--arch", "6,3,3,2", "--samples", "8"])
        #expect(all.status == 0)
        for name in ["linear", "relu"] { #expect(all.stdout.contains("summary for \(name) networks (3 spectra)")) }
        #expect(all.stdout.contains("summary for tanh networks under mse (3 spectra; reference: certified intervals"))
    }

    /// calibrate --loss cross-entropy, end to end: exit 0; every part's reference a certified interval (lower <=
    /// upper <= p, a named statement), every outcome's verdict consistent with its rank and that interval (checked
    /// here from the numbers in the document), the summary's counts adding up; the table and the SVG band.
    @Test func calibrateUnderCrossEntropy() throws {
        let plot = FileManager.default.temporaryDirectory.appendingPathComponent("calibrate-ce-\(UUID().uuidString).svg").path
        defer { try? FileManager.default.removeItem(atPath: plot) }
        let table = try Binary.run(["calibrate", "--activation", "tanh", "--loss", "cross-entropy", "--arch", "6,4,4,3",
                                    "--samples", "8", "--plot", plot])
        #expect(table.status == 0, "stderr: \(table.stderr)")
        #expect(table.stdout.contains("summary for tanh networks under cross-entropy (3 spectra; reference: certified intervals"))
        #expect(table.stdout.contains("formula with K - 1 classes"))
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.contains("certified ") && svg.contains("formula "))
        let run = try Binary.run(["calibrate", "--activation", "relu", "--loss", "cross-entropy", "--arch", "6,4,4,3",
                                  "--samples", "8", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["formatVersion"] as? Int == 4 && object["loss"] as? String == "cross-entropy")
        let cases = try #require(object["cases"] as? [[String: Any]])
        let parts = try #require(cases.first?["parts"] as? [[String: Any]])
        let p = 6 * 4 + 4 * 4 + 4 * 3
        var counts: [String: [String: Int]] = [:]
        for part in parts {
            #expect(part["reference"] as? String == "interval" && part["referenceRank"] == nil)
            let interval = try #require(part["interval"] as? [String: Any])
            let lower = try #require(interval["lower"] as? Int), upper = try #require(interval["upper"] as? Int)
            #expect(0 <= lower && lower <= upper && upper <= p && interval["exact"] as? Bool == (lower == upper))
            #expect(!((interval["statement"] as? String) ?? "").isEmpty)
            for outcome in try #require(part["outcomes"] as? [[String: Any]]) {
                let rank = try #require(outcome["rank"] as? Int), rule = try #require(outcome["rule"] as? String)
                let expected = rank < lower || rank > upper ? "wrong" : lower == upper ? "right" : "undecided"
                #expect(outcome["verdict"] as? String == expected, "\(rule): \(rank) in \(lower)...\(upper)")
                #expect(outcome["missBy"] as? Int == (expected == "wrong" ? max(lower - rank, rank - upper) : nil))
                counts[rule, default: [:]][expected, default: 0] += 1
            }
        }
        for summary in try #require(object["summary"] as? [[String: Any]]) {
            let rule = try #require(summary["rule"] as? String)
            #expect(summary["total"] as? Int == 3)
            #expect(summary["agreements"] as? Int == counts[rule]?["right"] ?? 0, "\(rule)")
            #expect(summary["undecided"] as? Int == counts[rule]?["undecided"] ?? 0, "\(rule)")
            #expect(summary["wrong"] as? Int == counts[rule]?["wrong"] ?? 0, "\(rule)")
        }
        let files = try Binary.run(["calibrate", "--loss", "log-cosh", "--arch", "4,3,2", "--x", "x.npy"])
        #expect(files.status == 2 && files.stderr.contains("--loss log-cosh: drawn data only"))
    }

    /// calibrate --x reads a .npy file (written here by our own encoder, byte-identical to numpy.save) exactly.
    @Test func calibrateWithDataFromAFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("x-\(UUID().uuidString).npy").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var g = SplitMix64(seed: 3)
        let values = (0..<(10 * 6)).map { _ in Double(g.uniform(below: 1 << 20)) / Double(1 << 20) }
        try NPY.encode(NPYArray(shape: [10, 6], values: .float64(values))).write(to: URL(fileURLWithPath: file))
        let run = try Binary.run(["calibrate", "--activation", "relu", "--arch", "6,3,3,2", "--x", file])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("6,3,3,2        10   H_L"))
        let bad = try Binary.run(["calibrate", "--arch", "7,3,2", "--x", file])
        #expect(bad.status == 2 && bad.stderr.contains("the data have 6 columns but --arch has d = 7 inputs"))
    }

    /// rank --weights: exact ranks at float64 weights, and each bad file refused with exit 2, naming file and problem.
    @Test func rankAtWeightsFromFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func save(_ name: String, _ shape: [Int], _ values: [Double]) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try NPY.encode(NPYArray(shape: shape, values: .float64(values))).write(to: URL(fileURLWithPath: path))
            return path
        }
        // 4,3,2 with dyadic weights: the same ranks as the integer network (8, 12, 16 at generic points).
        var g = SplitMix64(seed: 11)
        func values(_ n: Int) -> [Double] { (0..<n).map { _ in Double(g.uniform(in: -64...64)) / 32 + 0x1p-20 } }
        let (w1Values, w2Values, xValues, yValues) = (values(12), values(6), values(20), values(10))
        _ = try save("w1.npy", [3, 4], w1Values)
        _ = try save("w2.npy", [2, 3], w2Values)
        let x = try save("x.npy", [5, 4], xValues), y = try save("y.npy", [5, 2], yValues)
        let run = try Binary.run(["rank", "--weights", directory.path, "--x", x, "--y", y, "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["ranks"] as? [String: Int] == ["outer": 8, "functional": 12, "loss": 16])
        // inputs / 2^inputExponents gives back the values in the files, exactly (every entry here is below 2^53
        // after scaling, so Double holds it).
        let inputs = try #require(object["inputs"] as? [String: Any])
        let exponents = try #require(object["inputExponents"] as? [String: Any])
        func readBack(_ rows: [[String]], _ exponent: Int) -> [Double] {
            rows.joined().map { Double($0)! / Double(sign: .plus, exponent: exponent, significand: 1) }
        }
        let weightExponents = try #require(exponents["weights"] as? [Int])
        let weights = try #require(inputs["weights"] as? [[[String]]])
        #expect(readBack(weights[0], weightExponents[0]) == w1Values && readBack(weights[1], weightExponents[1]) == w2Values)
        #expect(readBack(try #require(inputs["x"] as? [[String]]), try #require(exponents["x"] as? Int)) == xValues)
        #expect(readBack(try #require(inputs["y"] as? [[String]]), try #require(exponents["y"] as? Int)) == yValues)
        #expect(weightExponents == [20, 20], "each value is k/32 + 2^-20")

        let good = NPY.encode(NPYArray(shape: [5, 4], values: .float64(values(20))))
        func bad(_ name: String, _ bytes: Data) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try bytes.write(to: URL(fileURLWithPath: path))
            return path
        }
        /// The good file with one header field changed (same length, so the header stays aligned).
        func patched(_ from: String, _ to: String) -> Data { good.replacing(Data(from.utf8), with: Data(to.utf8)) }
        let cases: [(String, String)] = [
            (try bad("text.npy", Data("not numpy".utf8)), "not an .npy file"),
            (try bad("complex.npy", patched("'<f8'", "'<c8'")), "unsupported dtype <c8"),
            (try bad("fortran.npy", patched("False", "True ")), "Fortran order is not supported"),
            (try bad("big.npy", patched("'<f8'", "'>f8'")), "big-endian data (>f8) is not supported"),
            (try bad("short.npy", good.dropLast(16)), "truncated data"),
            (try save("nan.npy", [5, 4], [.nan] + values(19)), "contains nan"),
        ]
        for (path, message) in cases {
            let r = try Binary.run(["rank", "--weights", directory.path, "--x", path, "--y", y])
            #expect(r.status == 2 && r.stderr.contains("--x \(path): \(message)"), "\(message): \(r.stderr)")
        }
        // A ReLU network on a kink: the first pre-activation of the first sample is 1 - 1 = 0 with a nonzero input.
        let kinkFolder = directory.appendingPathComponent("kink")
        try FileManager.default.createDirectory(at: kinkFolder, withIntermediateDirectories: true)
        try NPY.encode(NPYArray(shape: [2, 2], values: .float64([1, -1, 2, 1]))).write(to: kinkFolder.appendingPathComponent("w1.npy"))
        try NPY.encode(NPYArray(shape: [1, 2], values: .float64([1, 3]))).write(to: kinkFolder.appendingPathComponent("w2.npy"))
        let kx = try save("kx.npy", [2, 2], [1, 1, 2, -1]), ky = try save("ky.npy", [2, 1], [1, 0])
        let kink = try Binary.run(["rank", "--weights", kinkFolder.path, "--x", kx, "--y", ky, "--activation", "relu"])
        #expect(kink.status == 2 && kink.stderr.contains("sample 1 sits on a ReLU kink: the pre-activation of unit 1 in layer 1 is exactly 0"), "\(kink.stderr)")
        let smooth = try save("sx.npy", [2, 2], [2, 1, 1, 3])      // pre-activations 1, 5 and -2, 5: off every kink
        let relu = try Binary.run(["rank", "--weights", kinkFolder.path, "--x", smooth, "--y", ky, "--activation", "relu", "--json"])
        #expect(relu.status == 0, "\(relu.stderr)")
        let reluObject = try #require(try JSONSerialization.jsonObject(with: Data(relu.stdout.utf8)) as? [String: Any])
        #expect(reluObject["activation"] as? String == "relu")
        #expect((reluObject["verdicts"] as? [String: String])?["loss"] == "not applicable: the formulas are for linear networks")
        // The linear network's diagnosis says nothing about a ReLU network: it is left out.
        #expect(reluObject["conditionsHold"] == nil && reluObject["conditionFailures"] == nil && reluObject["attainedByProof"] == nil)
        _ = try save("w2.npy", [2, 5], values(10))
        let mismatch = try Binary.run(["rank", "--weights", directory.path, "--x", x, "--y", y])
        #expect(mismatch.status == 2 && mismatch.stderr.contains("shape mismatch between layers: w2.npy is 2 x 5 but w1.npy has 3 rows"))
    }

    /// fixtures: a manifest whose hashes match the files, no temporary file left, and a rerun that writes the same
    /// bytes.
    @Test func fixturesAreHashedAndIdempotent() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fixtures-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Binary.run(["fixtures", "--out", directory.path, "--activation", "relu"])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let manifestURL = directory.appendingPathComponent("manifest.json")
        let manifest = try Data(contentsOf: manifestURL)
        let object = try #require(try JSONSerialization.jsonObject(with: manifest) as? [String: Any])
        let cases = try #require(object["cases"] as? [[String: Any]])
        #expect(cases.count == 8)
        for c in cases {
            let name = try #require(c["name"] as? String), files = try #require(c["files"] as? [String: String])
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(name).path)) == Set(files.keys))
            for (file, digest) in files {
                #expect(SHA256.hex(try Data(contentsOf: directory.appendingPathComponent(name).appendingPathComponent(file))) == digest)
            }
        }
        let second = try Binary.run(["fixtures", "--out", directory.path, "--activation", "relu"])
        let rewritten = try Data(contentsOf: manifestURL)
        #expect(second.status == 0 && rewritten == manifest)
    }

    /// A sweep split into shards and merged again: every point once, a plot, and exit 1 when a shard is missing.
    @Test func sweepShardsMerge() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for i in 1...2 {
            let run = try Binary.run(["sweep", "--study", "samples", "--shard", "\(i)/2"])
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let file = directory.appendingPathComponent("samples-\(i).jsonl").path
            try run.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let plot = directory.appendingPathComponent("samples.svg").path
        let merged = try Binary.run(["merge"] + files + ["--plot", plot])
        #expect(merged.status == 0, "stderr: \(merged.stderr)")
        let rows = merged.stdout.split(separator: "\n").dropFirst().dropLast()
        #expect(rows.count == 9 && rows.allSatisfy { $0.hasSuffix("equal") })
        #expect(merged.stdout.split(separator: "\n").last == "certified: all 27 ranks meet an upper bound that holds at every point (proofs/upper-bounds.md), so each is the rank over Q exactly, whatever the primes")
        #expect(rows.first?.hasPrefix("10             64,10,10,10") == true)
        #expect(try String(contentsOfFile: plot, encoding: .utf8).contains("rank against samples"))
        let partial = try Binary.run(["merge", files[0]])
        #expect(partial.status == 1 && partial.stderr.contains("4 of 9 points of the samples study are missing: 1, 3, 5, 7"))
        let badShard = try Binary.run(["sweep", "--study", "samples", "--shard", "3/2"])
        #expect(badShard.status == 2 && badShard.stderr.contains("--shard: expected i/n with 1 <= i <= n"))

        // ReLU networks: the record says relu and carries no genericity; it does not merge with linear records.
        let relu = try Binary.run(["sweep", "--study", "samples", "--activation", "relu", "--shard", "1/9"])
        #expect(relu.status == 0, "stderr: \(relu.stderr)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(relu.stdout.utf8)) as? [String: Any])
        #expect(record["activation"] as? String == "relu" && record["conditionsHold"] == nil && record["formatVersion"] as? Int == 4 && (record["exactBy"] as? [Any])?.map { $0 as? String } == [nil, "jacobian-rows", nil])
        let ranks = try #require(record["ranks"] as? [String: Int])
        #expect(ranks.values.allSatisfy { $0 > 0 && $0 <= 840 } && record["seed"] as? String == "1")
        let reluFile = directory.appendingPathComponent("relu.jsonl").path
        try relu.stdout.write(toFile: reluFile, atomically: true, encoding: .utf8)
        let reluTable = try Binary.run(["merge", reluFile])
        #expect(reluTable.stdout.contains("relu: "), "\(reluTable.stdout)")
        let mixed = try Binary.run(["merge", files[1], reluFile])
        #expect(mixed.status == 2 && mixed.stderr.contains("a relu record with signed data among linear records with signed data"), "\(mixed.stderr)")
        let nonnegative = try Binary.run(["sweep", "--study", "samples", "--activation", "relu", "--data", "nonnegative", "--shard", "1/9"])
        #expect(nonnegative.status == 0, "stderr: \(nonnegative.stderr)")
        #expect(nonnegative.stdout.contains("\"data\":\"nonnegative\""))
        let nonnegativeLinear = try Binary.run(["sweep", "--study", "samples", "--data", "nonnegative"])
        #expect(nonnegativeLinear.status == 2 && nonnegativeLinear.stderr.contains("--data nonnegative: only with --activation relu"))
        let genericReLU = try Binary.run(["sweep", "--study", "samples", "--activation", "relu", "--field", "prime"])
        #expect(genericReLU.status == 2 && genericReLU.stderr.contains("--activation relu: not with --field prime"))
    }

    /// `sweep --only` runs the points listed, each with its index and seed in the whole study, so its records are the
    /// whole run's (all but the primes drawn and the time); an unknown value, a repeated one, or --only with --shard is
    /// refused before any work.
    @Test func sweepOnlyKeepsEachPointsSeed() throws {
        func records(_ arguments: [String]) throws -> [[String: Any]] {
            let run = try Binary.run(["sweep", "--study", "samples", "--seed", "7", "--json"] + arguments)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            return try #require(document["records"] as? [[String: Any]]).map { $0.filter { !["primes", "seconds", "errorBound"].contains($0.key) } }
        }
        let whole = try records([])
        let only = try records(["--only", "75,25"])
        #expect(only.map { $0["index"] as? Int } == [1, 3] && only.map { $0["seed"] as? String } == ["8", "10"])
        #expect(only.map { NSDictionary(dictionary: $0) } == [whole[1], whole[3]].map { NSDictionary(dictionary: $0) })
        for (arguments, message) in [
            (["--study", "samples", "--only", "30"], "error: --only: '30' is not a point of the samples study; the samples study's N are 10, 25, 50, 75, 100, 150, 200, 300, 400"),
            (["--study", "depth", "--only", "2,2"], "error: --only: 2 is listed twice"),
            (["--study", "width", "--only", "4,"], "error: --only: '' is not a point of the width study"),
            (["--study", "samples", "--only", "10", "--shard", "1/2"], "error: --only: not with --shard"),
            (["--study", "channels", "--only", "3"], "error: --only: '3' is not a point of the channels study; the channels study's c are 1, 2, 4, 6, 8"),
            (["--study", "width", "--loss", "cross-entropy", "--only", "56"], "error: --loss cross-entropy: every point of the width study that --only lists has more than 4000 parameters"),
        ] {
            let run = try Binary.run(["sweep"] + arguments)
            #expect(run.status == 2 && run.stdout.isEmpty && run.stderr.hasPrefix(message), "\(arguments): \(run.stderr)")
        }
    }

    /// The with-bias conjecture on the grid (85 networks, and 70 more with a constant first input): a row per network,
    /// a summary, JSON with the conjecture beside each rank. With seed 1 every rank equals the conjecture (also found
    /// by an independent exact script during review). Conjecture values by hand:
    /// - widths 3,2, N = 6 (L = 1): p = 2 (3 + 1) = 8, r = 3, r~ = 4, so H_O = H_L = r~ K = 8, H_F = 0;
    /// - widths 6,2,4,5, N = 9: p = 2*7 + 4*3 + 5*5 = 51, q = q~ = 2, s~ = 5. Drawn data: r = 6, r~ = 7,
    ///   H_O = 2 (6 + 5 - 2) + 5 = 23, H_F = 2*2*6 + 2*2*5 - 3*4 + 2 + 2 (4 - 2) = 38 (the layer after the width-2
    ///   layer adds 2 (M_2 - q~)), H_L = 23 + 38 - 2 (10 - 2 - 1) = 47. Constant first input: r = r~ = 6,
    ///   H_O = 2*9 + (5 - 2) = 21, H_F = 38, H_L = 45.
    @Test func biasConjectureOnTheGrid() throws {
        let run = try Binary.run(["bias"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 155 + 2)
        #expect(lines[1].hasPrefix("3,2               6   drawn 8    3   4   8/8/0          8/8/0             L,O,F     equal"), "\(lines[1])")
        #expect(lines.contains("6,2,4,5           9   drawn 51   6   7   47/23/38       47/23/38          -         equal"))
        #expect(lines.contains("6,2,4,5           9   1     51   6   6   45/21/38       45/21/38          -         equal"))
        #expect(lines.last?.hasPrefix("CONFIRMED: 155 bias networks, 465 ranks: 465 equal to the conjecture") == true)
        // The certified column: 3,2 is one layer, so H_L = H_O meets r~ K = 8 = p and H_F = 0 (all three); for
        // 6,2,4,5 the augmented network [7, 3, 5, 5] (r~ <= 7, q = 3) bounds H_O by 3 (7 + 5 - 3) = 27 > 23, H_F by
        // 2 3 8 + 2 3 5 - 3 9 = 51 > 38 and H_L by 3 12 + 2 3 8 - 27 = 57 and p = 51 > 47: none (the ranks equal the
        // conjecture, which is not a bound).
        #expect(lines.last?.contains("139 of 465 ranks certified") == true)
        let json = try Binary.run(["bias", "--json", "--seed", "5"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let records = try #require(object["records"] as? [[String: Any]])
        #expect(records.count == 155 && records.allSatisfy { ($0["ranks"] as? [Int])?.count == 3 && ($0["conjecture"] as? [Int])?.count == 3 })
        #expect((object["confirmed"] as? Bool) == (json.status == 0))

        // One network of the user's: widths 6,2,5,2,5 (hidden 2, 5, 2; K = 5), N = 9, so r = 6, r~ = 7, q = q~ = 2,
        // s~ = 5, p = 2*7 + 5*3 + 2*6 + 5*3 = 56. By hand: H_O = 2 (6 + 5 - 2) + 5 = 23; H_F = 2*2*9 + 2*2*5 - 4*4 + 2*2
        // = 44 with no extra term, since the last width-2 hidden layer is the last hidden layer (taking the first one
        // instead would add 2 (5 - 2) = 6); H_L = 23 + 44 - 2 (10 - 2 - 1) = 53.
        let one = try Binary.run(["bias", "--arch", "6,2,5,2,5", "--samples", "9"])
        #expect(one.status == 0, "stderr: \(one.stderr)")
        #expect(one.stdout.contains("6,2,5,2,5         9   drawn 56   6   7   53/23/44       53/23/44          -         equal"), "\(one.stdout)")
        #expect(one.stdout.contains("CONFIRMED: 1 bias network, 3 ranks: 3 equal to the conjecture"))

        // The wide grid: (4 + 16 + 64 hidden-width patterns) x 3 inputs x 3 outputs x 2 sample sizes = 1,512 shapes,
        // each with drawn data and with a constant first input.
        let wide = try Binary.run(["bias", "--grid", "wide"])
        #expect(wide.status == 0, "stderr: \(wide.stderr)")
        #expect(wide.stdout.split(separator: "\n").count == 3024 + 2)
        #expect(wide.stdout.contains("CONFIRMED: 3024 bias networks, 9072 ranks: 9072 equal to the conjecture"))
    }

    @Test func helpTeachesAndExitsZero() throws {
        let run = try Binary.run(["rank", "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("--data-rank") && run.stdout.contains("--certify") && run.stdout.contains("hessian-rank rank --arch 25,5,10,10"))
    }
}
