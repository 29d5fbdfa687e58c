// `rank --input --layers --weights`: a linear CNN at the user's own weights, data and targets, in PyTorch's shapes.
// A drawn network written as files gives the ranks of `rank --input --layers --samples --seed` (certified), from a
// folder of .npy files, an .npz and a .safetensors file, with the data as a batch or flattened; the same values divided
// by powers of two per layer (data, biases and targets at the matching scales) give the same exact ranks; and bad files
// exit 2 naming the file and the key, with nothing on stdout. (The exactness argument at arbitrary fractional values is
// checked in HessianCoreTests' `ConvolutionalDyadicTests`, and against exact rational Hessians in
// Tests/python/test_conv_weights.py.)
import ExactAlgebra
import Foundation
import NetworkModel
import NPYFormat
import Testing

@Suite struct ConvolutionWeightsTests {
    typealias Folder = WeightFilesTests.Folder

    /// The arrays of a problem in PyTorch's shapes: w_t, b_t for the layers with a bias, x as N x C x spatial (or
    /// N x d with `flatten`), y N x K; each weight of layer t divided by 2^weightShift[t], x by 2^dataShift, and a bias
    /// and the targets by their pre-activation's scale 2^(dataShift + weightShift[0] + ... + weightShift[t]).
    static func arrays(_ problem: ConvolutionalProblem, flatten: Bool = false, weightShift: [Int]? = nil, dataShift: Int = 0,
                       float32: Bool = false) -> [(String, NPYArray)] {
        let a = problem.architecture, theta = problem.theta
        let shifts = weightShift ?? Array(repeating: 0, count: a.depth)
        func array(_ shape: [Int], _ values: [Int], _ shift: Int) -> NPYArray {
            let doubles = values.map { Double(sign: .plus, exponent: -shift, significand: Double($0)) }
            return NPYArray(shape: shape, values: float32 ? .float32(doubles.map(Float.init)) : .float64(doubles))
        }
        var result: [(String, NPYArray)] = [], scale = dataShift
        for t in 0..<a.depth {
            let offset = a.parameterOffset(t), shape = a.weightShape(t), count = shape.reduce(1, *)
            scale += shifts[t]
            result.append(("w\(t + 1)", array(shape, Array(theta[offset..<(offset + count)]), shifts[t])))
            if a.biasCount(t) > 0 {
                result.append(("b\(t + 1)", array([a.biasCount(t)], Array(theta[(offset + count)..<(offset + count + a.biasCount(t))]), scale)))
            }
        }
        func values(_ m: IntegerMatrix) -> [Int] { (0..<m.rowCount).flatMap { i in (0..<m.columnCount).map { m[i, $0] } } }
        let n = problem.sampleCount
        let xShape = flatten ? [n, a.input.count] : [n, a.input.channels] + a.input.spatial
        result.append(("x", array(xShape, values(problem.x), dataShift)))
        result.append(("y", array([n, a.outputWidth], values(problem.y), scale)))
        return result
    }

    static func json(_ run: Run) throws -> [String: Any] {
        try #require(run.status == 0, "stderr: \(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    /// Each part's rank, bound, statement and exactness: what depends on the network and its point only.
    static func parts(_ json: [String: Any]) throws -> [String] {
        let parts = try #require(json["parts"] as? [[String: Any]])
        return parts.map { "\($0["part"]!) \($0["rank"]!) \($0["upperBound"]!) \($0["upperBoundStatement"]!) \($0["exact"]!)" }
    }

    enum Layout: CaseIterable { case npz, safetensors, folder }

    /// Writes `arrays` as one file or a folder (x and y then as --x and --y files); the --weights arguments.
    static func write(_ arrays: [(String, NPYArray)], _ layout: Layout, in folder: Folder) throws -> [String] {
        switch layout {
        case .npz:
            try ContainerWriter.npz(arrays, deflated: true).write(to: URL(fileURLWithPath: folder.path("model.npz")))
            return ["--weights", folder.path("model.npz")]
        case .safetensors:
            try ContainerWriter.safetensors(arrays).write(to: URL(fileURLWithPath: folder.path("model.safetensors")))
            return ["--weights", folder.path("model.safetensors")]
        case .folder:
            let weights = folder.url.appendingPathComponent("weights")
            try FileManager.default.createDirectory(at: weights, withIntermediateDirectories: true)
            for (key, array) in arrays {
                let url = key == "x" || key == "y" ? folder.url.appendingPathComponent("\(key).npy")
                    : weights.appendingPathComponent("\(key).npy")
                try NPY.encode(array).write(to: url)
            }
            return ["--weights", weights.path, "--x", folder.path("x.npy"), "--y", folder.path("y.npy")]
        }
    }

    /// 1-D and 2-D, stride, same padding (an even kernel too), two convolutions, biases on some layers and on all.
    static let cases: [(input: String, layers: String, bias: Bool, samples: Int, seed: UInt64)] = [
        ("1x8", "conv:2:3,dense:2", false, 6, 3),
        ("1x6x6", "conv:2:3:s2,dense:3", false, 4, 5),
        ("1x5x5", "conv:2:3:same:bias,dense:2", false, 3, 7),
        ("2x7", "conv:2:3:s2:bias,conv:1:2,dense:2:bias", false, 4, 9),
        ("1x4x4", "conv:2:2:same,conv:1:2,dense:2", true, 3, 11),
        ("3x6", "conv:2:4:same,dense:3:bias", false, 5, 13),
    ]

    /// The drawn network written as files gives the drawn network's certified ranks, in every layout, with the data
    /// as a batch or flattened; `inputExponents` are all 0 for integer values.
    @Test(arguments: 0..<cases.count)
    func filesOfADrawnNetworkGiveItsRanks(_ index: Int) throws {
        let c = Self.cases[index]
        let network = ["rank", "--input", c.input, "--layers", c.layers] + (c.bias ? ["--bias"] : []) + ["--certify", "--json"]
        let drawn = try Self.json(Binary.run(network + ["--samples", String(c.samples), "--seed", String(c.seed)]))
        let problem = try ConvolutionalProblem.draw(try ConvolutionalArchitecture(input: c.input, layers: c.layers, bias: c.bias),
                                                    samples: c.samples, seed: c.seed)
        let layout = Layout.allCases[index % Layout.allCases.count]
        let folder = try Folder()
        let arguments = try Self.write(Self.arrays(problem, flatten: index % 2 == 1), layout, in: folder)
        let given = try Self.json(Binary.run(network + arguments))
        #expect(try Self.parts(given) == Self.parts(drawn), "\(c.input) \(c.layers) \(layout)")
        for key in ["parameters", "samples", "unrolledWidths", "input", "layers"] {
            #expect(given[key] as? NSObject == drawn[key] as? NSObject, "\(key)")
        }
        let exponents = try #require(given["inputExponents"] as? [String: Any])
        #expect(exponents["x"] as? Int == 0 && exponents["y"] as? Int == 0)
        #expect((exponents["weights"] as? [Int])?.allSatisfy { $0 == 0 } == true)
        #expect(drawn["inputExponents"] == nil, "a drawn network's JSON is unchanged")
    }

    /// The same values divided by powers of two (each layer's weights by its own, the data by another, each bias and
    /// the targets by their pre-activation's scale) are the drawn network at D^-1 theta with the Hessians
    /// D H D / 4^S: the same certified ranks, and `inputExponents` are those powers (each array holds odd integers).
    @Test(arguments: [(1, [3, 5], 2, false), (3, [1, 4, 2], 6, false), (2, [2, 7], 3, true), (4, [6, 0, 3], 1, true)])
    func scaledValuesGiveTheSameRanks(index: Int, shifts: [Int], dataShift: Int, float32: Bool) throws {
        let c = Self.cases[index]
        let network = ["rank", "--input", c.input, "--layers", c.layers] + (c.bias ? ["--bias"] : []) + ["--certify", "--json"]
        let drawn = try Self.json(Binary.run(network + ["--samples", String(c.samples), "--seed", String(c.seed)]))
        let a = try ConvolutionalArchitecture(input: c.input, layers: c.layers, bias: c.bias)
        let problem = try ConvolutionalProblem.draw(a, samples: c.samples, seed: c.seed)
        let folder = try Folder()
        let arrays = Self.arrays(problem, weightShift: shifts, dataShift: dataShift, float32: float32)
        let given = try Self.json(Binary.run(network + Self.write(arrays, .npz, in: folder)))
        #expect(try Self.parts(given) == Self.parts(drawn), "\(c.input) \(c.layers)")
        let scales = shifts.indices.map { t in shifts[...t].reduce(dataShift, +) }
        let exponents = try #require(given["inputExponents"] as? [String: Any])
        #expect(exponents["weights"] as? [Int] == shifts)
        #expect(exponents["x"] as? Int == dataShift && exponents["y"] as? Int == scales.last)
        let biases = try #require(exponents["biases"] as? [Any])
        #expect(biases.enumerated().map { t, e in (e as? Int).map { $0 == scales[t] } ?? (a.biasCount(t) == 0) } == Array(repeating: true, count: a.depth))
    }

    /// The report names the file instead of the seed; --samples equal to the files' N is accepted.
    @Test func reportNamesTheFile() throws {
        let c = Self.cases[1], folder = try Folder()
        let problem = try ConvolutionalProblem.draw(try ConvolutionalArchitecture(input: c.input, layers: c.layers),
                                                    samples: c.samples, seed: c.seed)
        let arguments = try Self.write(Self.arrays(problem), .npz, in: folder)
        let run = try Binary.run(["rank", "--input", c.input, "--layers", c.layers, "--samples", "4"] + arguments)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("network: input 1x6x6, layers conv:2:3:s2,dense:3; p = 42, N = 4, K = 3, from the arrays in \(folder.path("model.npz")) (exact values)\nunrolled widths: 36,8,3\n"), "\(run.stdout)")
    }

    /// Bad files and options exit 2 with one line naming the file and key, and nothing on stdout.
    @Test(arguments: [
        ("w1 shape", "key w1: shape (2, 1, 3) does not fit layer 1 (conv:2:3:s2) on --input 1x6x6: its weight has shape (2, 1, 3, 3) (out channels, in channels, kernel, kernel)"),
        ("w2 missing", "key w2: missing (the file holds w1, x, y): give w1 ... w2, one per layer of --layers"),
        ("b1 extra", "key b1: layer 1 (conv:2:3:s2) has no bias: mark it :bias in --layers (or give --bias), or leave b1 out"),
        ("w3 extra", "key w3: but --layers has 2 layers (conv:2:3:s2,dense:3)"),
        ("torch name", "key fc1.weight: not an array of the network: the keys are w1 ... w2"),
        ("x channels", "key x: shape (4, 2, 6, 6) does not fit --input 1x6x6: give the data as N x 1 x 6 x 6 or flattened, N x 36"),
        ("x width", "key x: shape (4, 1, 6, 5) does not fit --input 1x6x6"),
        ("x flat", "key x: shape (4, 35) does not fit --input 1x6x6"),
        ("y outputs", "key y: shape (4, 2) does not fit layer 2 (dense:3): give the targets as N x 3, one row per sample"),
        ("y rows", "key y: 3 targets for 4 samples in key x of"),
        ("nan", "key w2: contains nan; only finite values have an exact rank"),
    ])
    func refusals(change: String, message: String) throws {
        let c = Self.cases[1], folder = try Folder()
        let problem = try ConvolutionalProblem.draw(try ConvolutionalArchitecture(input: c.input, layers: c.layers),
                                                    samples: c.samples, seed: c.seed)
        var arrays = Self.arrays(problem)
        func replace(_ key: String, _ array: NPYArray) { arrays = arrays.map { $0.0 == key ? (key, array) : $0 } }
        func zeros(_ shape: [Int]) -> NPYArray { NPYArray(shape: shape, values: .float64(Array(repeating: 0.5, count: shape.reduce(1, *)))) }
        switch change {
        case "w1 shape": replace("w1", zeros([2, 1, 3]))
        case "w2 missing": arrays.removeAll { $0.0 == "w2" }
        case "b1 extra": arrays.append(("b1", zeros([2])))
        case "w3 extra": arrays.append(("w3", zeros([3, 3])))
        case "torch name": arrays.append(("fc1.weight", zeros([3, 3])))
        case "x channels": replace("x", zeros([4, 2, 6, 6]))
        case "x width": replace("x", zeros([4, 1, 6, 5]))
        case "x flat": replace("x", zeros([4, 35]))
        case "y outputs": replace("y", zeros([4, 2]))
        case "y rows": replace("y", zeros([3, 3]))
        case "nan":
            var values = zeros([3, 8]).doubles
            values[5] = .nan
            replace("w2", NPYArray(shape: [3, 8], values: .float64(values)))
        default: Issue.record("unknown change \(change)")
        }
        let path = folder.path("model.npz")
        try ContainerWriter.npz(arrays, deflated: false).write(to: URL(fileURLWithPath: path))
        let run = try Binary.run(["rank", "--input", c.input, "--layers", c.layers, "--weights", path])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("error: --weights \(path): \(message)"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    /// Options that conflict with the files, and folders that do not match --layers.
    @Test func optionRefusals() throws {
        let c = Self.cases[2], folder = try Folder()
        let a = try ConvolutionalArchitecture(input: c.input, layers: c.layers)
        let problem = try ConvolutionalProblem.draw(a, samples: c.samples, seed: c.seed)
        let npz = try Self.write(Self.arrays(problem), .npz, in: folder)
        let network = ["rank", "--input", c.input, "--layers", c.layers]
        let model = folder.path("model.npz")
        var expectations: [([String], String)] = [
            (npz + ["--samples", "5"], "error: --samples: 5 does not match the 3 samples in key x of \(model); leave --samples out (the files give N)"),
            (npz + ["--x", model], "error: --x \(model): not with --weights \(model), which holds the data as key x"),
            (npz + ["--field", "prime"], "error: --field prime: not with --weights"),
            (["--samples", "3", "--x", model], "error: --layers: the network is --input and --layers; leave out --arch and --data-rank, and give --x and --y only with --weights"),
        ]
        let folderArguments = try Self.write(Self.arrays(problem), .folder, in: folder)
        let weights = folder.url.appendingPathComponent("weights")
        expectations.append((Array(folderArguments.prefix(2)), "error: --weights: give the data with --x FILE.npy and the targets with --y FILE.npy"))
        try FileManager.default.removeItem(at: weights.appendingPathComponent("b1.npy"))
        expectations.append((folderArguments, "error: --weights: \(weights.path) holds no b1.npy, but layer 1 (conv:2:3:same:bias) has a bias"))
        for (arguments, message) in expectations {
            let run = try Binary.run(network + arguments)
            #expect(run.status == 2, "\(arguments)")
            #expect(run.stderr.hasPrefix(message), "\(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }
}
