// `fixtures --preset conv` and `fixtures --input --layers`: the PyTorch layout of the files, the stored Hessians equal
// to the independent reference route (HessianReference: the unrolled dense network's per-sample Hessians pulled back
// to theta), the ranks equal to `rank --certify`'s, byte-identical reruns, and the refusals. Tests/python/
// test_conv_fixtures.py rebuilds the same Hessians with its own NumPy convolution (and torch.autograd where installed).
import Foundation
import HessianReference
import NPYFormat
import Testing

@Suite struct ConvolutionFixturesTests {
    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// The reference network of a case folder: its layers read from case.json's `layers` text by this test's own
    /// parser, its parameters from w_t.npy and b_t.npy in PyTorch's order, its data and targets from x.npy and y.npy.
    static func referenceNetwork(_ folder: URL, _ caseObject: [String: Any]) throws -> ReferenceConvolutionalNetwork {
        let input = try #require(caseObject["input"] as? [Int])
        let text = try #require(caseObject["layers"] as? String)
        let layers: [ReferenceLayer] = text.split(separator: ",").map { item in
            let fields = item.split(separator: ":").map(String.init)
            if fields[0] == "dense" { return .dense(outputs: Int(fields[1])!, bias: fields.count == 3) }
            let stride = fields.dropFirst(3).compactMap { $0.hasPrefix("s") ? Int($0.dropFirst()) : nil }.first ?? 1
            return .convolution(outChannels: Int(fields[1])!, kernel: Int(fields[2])!, stride: stride,
                                samePadding: fields.contains("same"), bias: fields.contains("bias"))
        }
        func values(_ name: String) throws -> (shape: [Int], values: [Int128]) {
            let array = try NPY.read(contentsOf: folder.appendingPathComponent(name).path)
            guard case .float64(let doubles) = array.values else { throw CocoaError(.fileReadCorruptFile) }
            return (array.shape, doubles.map { Int128(exactly: $0)! })
        }
        var theta: [Int128] = []
        for t in 1...layers.count {
            theta += try values("w\(t).npy").values
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("b\(t).npy").path) {
                theta += try values("b\(t).npy").values
            }
        }
        let (xShape, x) = try values("x.npy"), (yShape, y) = try values("y.npy")
        #expect(Array(xShape.dropFirst()) == input, "x.npy is N x C x spatial")
        let d = x.count / xShape[0], k = yShape[1]
        return try ReferenceConvolutionalNetwork(
            inputChannels: input[0], inputShape: Array(input.dropFirst()), layers: layers, theta: theta,
            samples: (0..<xShape[0]).map { Array(x[$0 * d..<($0 + 1) * d]) },
            targets: (0..<yShape[0]).map { Array(y[$0 * k..<($0 + 1) * k]) })
    }

    /// Every case of the conv preset (and with --bias): weights in PyTorch's shapes, the three Hessian files equal to
    /// the reference route's Hessians entry for entry, the ranks equal to `rank --input --layers --certify`'s on the
    /// same seed; a rerun writes the same bytes.
    @Test(arguments: [false, true])
    func presetMatchesTheReferenceAndTheRankCommand(bias: Bool) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conv-fixtures-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["fixtures", "--out", directory.path, "--preset", "conv"] + (bias ? ["--bias"] : [])
        let run = try Binary.run(arguments)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "wrote 6 linear convolutional fixtures to \(directory.path) (manifest.json lists each file with its SHA-256)\n")
        let manifestBytes = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        let manifest = try Self.json(directory.appendingPathComponent("manifest.json"))
        #expect(manifest["formatVersion"] as? Int == 3 && manifest["kind"] as? String == "convolutional")
        let cases = try #require(manifest["cases"] as? [[String: Any]])
        #expect(cases.count == 6)
        for entry in cases {
            let name = try #require(entry["name"] as? String)
            let folder = directory.appendingPathComponent(name)
            let caseObject = try Self.json(folder.appendingPathComponent("case.json"))
            let network = try Self.referenceNetwork(folder, caseObject)
            let p = network.parameterCount
            #expect(caseObject["parameters"] as? Int == p, "\(name)")
            for (t, shape) in try #require(caseObject["weightShapes"] as? [[Int]]).enumerated() {
                #expect(try NPY.read(contentsOf: folder.appendingPathComponent("w\(t + 1).npy").path).shape == shape, "\(name) w\(t + 1)")
            }
            let reference = try DirectHessian.compute(network)
            for (part, matrix) in [("loss", reference.loss), ("outer", reference.outer), ("functional", reference.functional)] {
                let stored = try NPY.read(contentsOf: folder.appendingPathComponent("hessian_\(part).npy").path)
                #expect(stored.shape == [p, p] && stored.values == .float64(matrix.map { Double($0) }), "\(name) \(part)")
            }
            let input = try #require(caseObject["input"] as? [Int]).map(String.init).joined(separator: "x")
            let rank = try Binary.run(["rank", "--input", input, "--layers", try #require(caseObject["layers"] as? String),
                                       "--samples", String(try #require(caseObject["samples"] as? Int)),
                                       "--seed", try #require(caseObject["seed"] as? String), "--certify", "--json"])
            let report = try #require(try JSONSerialization.jsonObject(with: Data(rank.stdout.utf8)) as? [String: Any])
            let ranks = try #require(report["parts"] as? [[String: Any]]).map { ($0["part"] as! String, $0["rank"] as! Int) }
            #expect(caseObject["ranks"] as? [String: Int] == Dictionary(uniqueKeysWithValues: ranks), "\(name)")
        }
        #expect(try Binary.run(arguments).status == 0)
        #expect(try Data(contentsOf: directory.appendingPathComponent("manifest.json")) == manifestBytes, "a rerun writes the same bytes")
    }

    @Test(arguments: [
        (["--preset", "conv", "--arch", "3,2"], "error: --preset conv, --input and --layers: convolutional fixtures are drawn from their own shapes"),
        (["--preset", "conv", "--activation", "relu"], "error: --preset conv, --input and --layers: convolutional networks are linear under mse so far"),
        (["--preset", "conv", "--loss", "log-cosh"], "error: --preset conv, --input and --layers: convolutional networks are linear under mse so far"),
        (["--preset", "conv", "--samples", "3"], "error: --samples: the conv preset's cases have their own N"),
        (["--preset", "demo", "--input", "1x8", "--layers", "conv:2:3,dense:2", "--samples", "2"], "error: --preset demo: give either a preset or one network"),
        (["--input", "1x8", "--layers", "conv:2:3,dense:2"], "error: --layers: give the number of samples with --samples N"),
        (["--layers", "conv:2:3,dense:2", "--samples", "2"], "error: --layers and --input go together"),
        (["--input", "1x8", "--layers", "conv:2:9,dense:2", "--samples", "2"], "error: --layers: layer 1: a kernel of 9 does not fit the input 1x8"),
        (["--input", "1x16x16", "--layers", "conv:4:3:same,dense:4", "--samples", "2"], "error: --layers: fixtures carry certified ranks, offered up to p = 1000 parameters; input 1x16x16, layers conv:4:3:same,dense:4 has p = 4132"),
    ])
    func refusals(arguments: [String], message: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conv-refused-\(UUID().uuidString)")
        let run = try Binary.run(["fixtures", "--out", directory.path] + arguments)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty && !FileManager.default.fileExists(atPath: directory.path), "nothing written")
    }
}
