// fixtures with biases and leaky ReLU, through the binary: names, case.json, bias files and the true Hessians. The
// Hessians' values are checked against an independent NumPy implementation in Tests/python/test_fixtures.py. Then the
// certified-interval fixtures (--activation tanh, --loss cross-entropy): intervals sound in form and, where the answer
// is known independently, equal to it; the float64 Hessian files those of the same point; bad values refused.
import ExactAlgebra
import Foundation
import NPYFormat
import Testing

@Suite struct FixturesTests {
    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// The default preset with --bias and leaky-relu:1/8: every case has biases and says so in its file-system-safe
    /// name ("leaky-relu-1_8", "-bias"), in case.json and in the manifest; b1.npy ... bL.npy are 1-d float64 with M_t
    /// values; the Hessian files are the true Hessians (the exact path's 8^(2(L-1)) H divided back: entries that are
    /// not integers appear once L >= 2); a rerun writes the same bytes.
    @Test func leakyBiasPresetIsNamedAndDescribed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fixtures-leaky-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["fixtures", "--out", directory.path, "--bias", "--activation", "leaky-relu:1/8"]
        let first = try Binary.run(arguments)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let manifestURL = directory.appendingPathComponent("manifest.json")
        let manifestBytes = try Data(contentsOf: manifestURL)
        let manifest = try Self.json(manifestURL)
        #expect(manifest["activation"] as? String == "leaky-relu:1/8" && manifest["bias"] as? Bool == true)
        let cases = try #require(manifest["cases"] as? [[String: Any]])
        #expect(cases.count == 8)
        var fractional = 0
        for entry in cases {
            let name = try #require(entry["name"] as? String)
            #expect(name.contains("-leaky-relu-1_8-") && name.contains("-bias-n") && !name.contains(":") && !name.contains("/"), "\(name)")
            let folder = directory.appendingPathComponent(name)
            let caseObject = try Self.json(folder.appendingPathComponent("case.json"))
            #expect(caseObject["bias"] as? Bool == true && caseObject["activation"] as? String == "leaky-relu:1/8")
            let widths = try #require(caseObject["architecture"] as? [Int])
            #expect(caseObject["parameters"] as? Int == zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.1 * ($1.0 + 1) })
            for t in 1..<widths.count {
                let bias = try NPY.read(contentsOf: folder.appendingPathComponent("b\(t).npy").path)
                guard case .float64 = bias.values else { Issue.record("\(name)/b\(t).npy is not float64"); continue }
                #expect(bias.shape == [widths[t]], "\(name)/b\(t).npy")
            }
            #expect(caseObject["hessianFiles"] as? [String] == ["hessian_functional.npy", "hessian_loss.npy", "hessian_outer.npy"], "\(name)")
            let loss = try NPY.read(contentsOf: folder.appendingPathComponent("hessian_loss.npy").path)
            fractional += loss.doubles.filter { $0 != $0.rounded() }.count
        }
        #expect(fractional > 0, "the 8^(2(L-1)) scale is divided out")
        let second = try Binary.run(arguments)
        let rewritten = try Data(contentsOf: manifestURL)
        #expect(second.status == 0 && rewritten == manifestBytes)
    }

    /// leaky-relu:1/3: the true Hessian is the integer one over 3^(2(L-1)), not float64 numbers; the ranks are
    /// written, the Hessian files are not, and case.json says why, part by part.
    @Test func slopesWithoutAPowerOfTwoDenominatorOmitTheHessianFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fixtures-third-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Binary.run(["fixtures", "--out", directory.path, "--arch", "4,3,2", "--samples", "5", "--activation", "leaky-relu:1/3"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let cases = try #require(try Self.json(directory.appendingPathComponent("manifest.json"))["cases"] as? [[String: Any]])
        let name = try #require(cases.first?["name"] as? String)
        #expect(name.hasPrefix("01-leaky-relu-1_3-4x3x2-n5-seed"), "\(name)")
        let caseObject = try Self.json(directory.appendingPathComponent(name).appendingPathComponent("case.json"))
        #expect(caseObject["bias"] == nil, "bias-free cases keep the keys they had")
        #expect(caseObject["hessianFiles"] as? [String] == [])
        let omitted = try #require(caseObject["hessianFilesOmitted"] as? [String: String])
        #expect(omitted.keys.sorted() == ["functional", "loss", "outer"])
        #expect(omitted["loss"]?.contains("divided by 3^2") == true && omitted["loss"]?.contains("3 is not a power of two") == true, "\(omitted)")
        #expect((caseObject["ranks"] as? [String: Int])?.count == 3)
    }

    // MARK: - Certified intervals (format version 2)

    /// A fixture's arrays: the weights W_1 ... W_L (row-major, with their shapes), x and y, and a Hessian file.
    struct Arrays {
        let weights: [(rows: Int, columns: Int, values: [Double])]
        let x: [[Double]]
        let y: [[Double]]

        init(_ folder: URL, depth: Int) throws {
            func rows(_ name: String) throws -> [[Double]] {
                let array = try NPY.read(contentsOf: folder.appendingPathComponent(name).path)
                let columns = array.shape[1]
                return stride(from: 0, to: array.doubles.count, by: columns).map { Array(array.doubles[$0..<($0 + columns)]) }
            }
            weights = try (1...depth).map { t in
                let array = try NPY.read(contentsOf: folder.appendingPathComponent("w\(t).npy").path)
                return (array.shape[0], array.shape[1], array.doubles)
            }
            (x, y) = (try rows("x.npy"), try rows("y.npy"))
        }

        /// The mse loss 1/2 sum_n ||f(x_n) - y_n||^2 of the bias-free tanh network at the parameters theta (per
        /// layer W_t row-major): written here from the definition, no HessianRank code.
        func tanhLoss(_ theta: [Double]) -> Double {
            var total = 0.0
            for (x, y) in zip(x, y) {
                var a = x, offset = 0
                for (t, w) in weights.enumerated() {
                    var z = [Double](repeating: 0, count: w.rows)
                    for i in 0..<w.rows { for j in 0..<w.columns { z[i] += theta[offset + i * w.columns + j] * a[j] } }
                    offset += w.rows * w.columns
                    a = t < weights.count - 1 ? z.map { Foundation.tanh($0) } : z
                }
                total += zip(a, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 2
            }
            return total
        }

        var theta: [Double] { weights.flatMap(\.values) }
    }

    static func interval(_ caseObject: [String: Any], _ part: String) throws -> [String: Any] {
        try #require((caseObject["intervals"] as? [String: Any])?[part] as? [String: Any], "\(part)")
    }

    /// Every interval in a version-2 case.json is sound in form: 0 <= lower <= upper <= p, `exact` iff they meet,
    /// a statement and basis named, and precisionBits (when present) at least 53.
    static func checkIntervals(_ caseObject: [String: Any], _ name: String) throws {
        #expect(caseObject["formatVersion"] as? Int == 2 && caseObject["ranks"] == nil, "\(name)")
        let p = try #require(caseObject["parameters"] as? Int)
        for part in ["loss", "outer", "functional"] {
            let interval = try Self.interval(caseObject, part)
            let lower = try #require(interval["lower"] as? Int), upper = try #require(interval["upper"] as? Int)
            #expect(0 <= lower && lower <= upper && upper <= p, "\(name) \(part): \(lower) ... \(upper)")
            #expect(interval["exact"] as? Bool == (lower == upper), "\(name) \(part)")
            #expect((interval["upperStatement"] as? String)?.isEmpty == false, "\(name) \(part)")
            #expect(["proved here", "cited"].contains(interval["basis"] as? String ?? ""), "\(name) \(part)")
            if let bits = interval["precisionBits"] { #expect((bits as? Int ?? 0) >= 53, "\(name) \(part)") }
        }
    }

    /// tanh 3,3,2 with N = 6 at seed 92 (the draw of LossIntervalsTests' tanhClosesAtFullRank): case.json's H_L and
    /// H_F intervals close at the full rank p = 15 (upper bound `parameters`, the lower one a 15 x 15 minor proven
    /// nonsingular with double balls), H_O lies below N K = 12 (`jacobian-rows`); and the written H_L is the Hessian
    /// of the loss at the point the files hold: central second differences of the loss, written here from the
    /// definition (tanh hidden layer, mse), agree with every entry to 1e-5 of the largest (they do to 3e-7; leaving out
    /// H_F would miss by 0.37). The files are symmetric and H_L = H_O + H_F to rounding.
    @Test func tanhFixtureClosesAtFullRankAndHoldsTheLossHessian() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fixtures-tanh-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Binary.run(["fixtures", "--out", directory.path, "--activation", "tanh", "--arch", "3,3,2",
                                  "--samples", "6", "--seed", "92"], environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let manifest = try Self.json(directory.appendingPathComponent("manifest.json"))
        #expect(manifest["formatVersion"] as? Int == 2 && manifest["loss"] as? String == "mse" && manifest["activation"] as? String == "tanh")
        let cases = try #require(manifest["cases"] as? [[String: Any]])
        let name = try #require(cases.first?["name"] as? String)
        #expect(name == "01-tanh-3x3x2-n6-seed92")
        let folder = directory.appendingPathComponent(name)
        let caseObject = try Self.json(folder.appendingPathComponent("case.json"))
        try Self.checkIntervals(caseObject, name)
        #expect(caseObject["loss"] as? String == "mse" && caseObject["activation"] as? String == "tanh")
        #expect(caseObject["parameters"] as? Int == 15 && caseObject["hessianFilesRounded"] as? Bool == true)
        for part in ["loss", "functional"] {
            let interval = try Self.interval(caseObject, part)
            #expect(interval["lower"] as? Int == 15 && interval["upper"] as? Int == 15 && interval["exact"] as? Bool == true, "\(part)")
            #expect(interval["upperStatement"] as? String == "parameters" && interval["precisionBits"] as? Int == 53, "\(part)")
        }
        let outer = try Self.interval(caseObject, "outer")
        #expect(outer["upper"] as? Int == 12 && outer["upperStatement"] as? String == "jacobian-rows")

        let p = 15
        func hessian(_ part: String) throws -> [Double] {
            let array = try NPY.read(contentsOf: folder.appendingPathComponent("hessian_\(part).npy").path)
            #expect(array.shape == [p, p], "\(part)")
            return array.doubles
        }
        let (loss, outerH, functional) = (try hessian("loss"), try hessian("outer"), try hessian("functional"))
        let scale = loss.map(abs).max()!
        for i in 0..<p {
            for j in 0..<p {
                #expect(loss[i * p + j] == loss[j * p + i] && outerH[i * p + j] == outerH[j * p + i], "symmetric at (\(i), \(j))")
                #expect(abs(loss[i * p + j] - outerH[i * p + j] - functional[i * p + j]) <= 1e-12 * scale, "H_L = H_O + H_F at (\(i), \(j))")
            }
        }
        let arrays = try Arrays(folder, depth: 2)
        let theta = arrays.theta, h = 1e-4
        #expect(theta.count == p)
        for i in 0..<p {
            for j in 0...i {
                func l(_ di: Double, _ dj: Double) -> Double {
                    var t = theta
                    t[i] += di
                    t[j] += dj
                    return arrays.tanhLoss(t)
                }
                let second = (l(h, h) - l(h, -h) - l(-h, h) + l(-h, -h)) / (4 * h * h)
                #expect(abs(second - loss[i * p + j]) <= 1e-5 * scale, "H_L(\(i), \(j)): file \(loss[i * p + j]), differences \(second)")
            }
        }
    }

    /// Cross-entropy on the default preset: the K = 1 case is left out (7 cases, format version 2, the loss in the
    /// manifest and each folder's name), every interval sound, and H_O of these linear networks exact from the
    /// integer problem (no precisionBits). For the one-layer case (3,2: K = 2) the value is known independently: each
    /// sample's softmax factor is c_n (1, -1)(1, -1)^T with c_n = pi_1 pi_2 > 0, so H_O = (1, -1)(1, -1)^T (x) X^T C X
    /// has rank r = rank X (computed here from x.npy), and H_F = 0 (f is linear in W): its file is all zeros.
    @Test func crossEntropyPresetHasExactOuterRanks() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fixtures-ce-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["fixtures", "--out", directory.path, "--loss", "cross-entropy"]
        let run = try Binary.run(arguments, environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let manifestURL = directory.appendingPathComponent("manifest.json")
        let manifestBytes = try Data(contentsOf: manifestURL)
        let manifest = try Self.json(manifestURL)
        #expect(manifest["formatVersion"] as? Int == 2 && manifest["loss"] as? String == "cross-entropy")
        let cases = try #require(manifest["cases"] as? [[String: Any]])
        #expect(cases.count == 7)
        for entry in cases {
            let name = try #require(entry["name"] as? String)
            #expect(name.contains("-linear-cross-entropy-") && !name.contains("-5x3x1-"), "\(name)")
            let folder = directory.appendingPathComponent(name)
            let caseObject = try Self.json(folder.appendingPathComponent("case.json"))
            try Self.checkIntervals(caseObject, name)
            let outer = try Self.interval(caseObject, "outer")
            #expect(outer["exact"] as? Bool == true && outer["precisionBits"] == nil && outer["upperStatement"] as? String == "cross-entropy", "\(name)")
            guard (caseObject["architecture"] as? [Int])?.count == 2 else { continue }
            let x = try NPY.read(contentsOf: folder.appendingPathComponent("x.npy").path)
            let rows = stride(from: 0, to: x.doubles.count, by: x.shape[1]).map { x.doubles[$0..<($0 + x.shape[1])].map { Int($0) } }
            let r = try CertifiedRank.rank(of: IntegerMatrix(rows)).rank
            #expect(outer["lower"] as? Int == r && caseObject["dataRank"] as? Int == r, "\(name)")
            let functional = try NPY.read(contentsOf: folder.appendingPathComponent("hessian_functional.npy").path)
            #expect(functional.doubles.allSatisfy { $0 == 0 }, "\(name)")
            let f = try Self.interval(caseObject, "functional")
            #expect(f["lower"] as? Int == 0 && f["upper"] as? Int == 0, "\(name)")
        }
        let again = try Binary.run(arguments, environment: ["OPENBLAS_NUM_THREADS": "1"])
        let rewritten = try Data(contentsOf: manifestURL)
        #expect(again.status == 0 && rewritten == manifestBytes, "a rerun writes the same bytes")
    }

    /// Bad values are refused (exit 2) with the option named, before anything is written: no output folder.
    @Test func badLossesAndActivationsAreRefused() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("fixtures-refused-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let out = parent.appendingPathComponent("out").path
        let refusals: [([String], String)] = [
            (["--loss", "banana"], "--loss: unknown loss 'banana'; expected mse, cross-entropy, log-cosh"),
            (["--loss", "cross-entropy", "--arch", "5,3,1", "--samples", "3"], "--loss cross-entropy: needs at least 2 outputs (classes); got K = 1"),
            (["--loss", "log-cosh", "--activation", "relu"], "--loss log-cosh: certified-interval fixtures take linear, tanh, sigmoid or elu hidden layers"),
            (["--activation", "sigmoid", "--loss", "cross-entropy", "--arch", "4,3,2", "--x", "x.npy"], "--loss cross-entropy: certified-interval fixtures are drawn networks only so far"),
        ]
        for (arguments, message) in refusals {
            let run = try Binary.run(["fixtures", "--out", out] + arguments)
            #expect(run.status == 2 && run.stderr.contains(message), "\(arguments): \(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(arguments): no output folder")
        }
    }
}
