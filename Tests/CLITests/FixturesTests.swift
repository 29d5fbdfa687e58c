// fixtures with biases and leaky ReLU, through the binary: names, case.json, bias files and the true Hessians. The
// Hessians' values are checked against an independent NumPy implementation in Tests/python/test_fixtures.py.
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

    /// Activations without exact Hessians are refused before anything is written.
    @Test func smoothActivationsAreRefused() throws {
        let run = try Binary.run(["fixtures", "--out", FileManager.default.temporaryDirectory.appendingPathComponent("never").path,
                                  "--activation", "sigmoid"])
        #expect(run.status == 2 && run.stderr.contains("--activation: expected linear, relu or leaky-relu[:slope]"), "\(run.stderr)")
    }
}
