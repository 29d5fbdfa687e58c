// rank --weights with biases: b1.npy ... bL.npy beside w1.npy ... wL.npy (WeightFiles), through the binary.
import Foundation
import NPYFormat
import Testing

@Suite struct WeightFilesTests {
    /// A folder of .npy files, removed at the end of the test.
    final class Folder {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("bias-weights-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }

        func path(_ name: String) -> String { url.appendingPathComponent(name).path }

        @discardableResult
        func save(_ name: String, _ shape: [Int], _ values: [Double]) throws -> String {
            try NPY.encode(NPYArray(shape: shape, values: .float64(values))).write(to: URL(fileURLWithPath: path(name)))
            return path(name)
        }

        func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: path(name)) }
    }

    /// The integer network of `fixtures --bias` (widths 4,3,2, N = 5), its arrays by name and its certified ranks.
    static func fixture(activation: String) throws -> (arrays: [String: NPYArray], ranks: [String: Int]) {
        let out = try Folder()
        let run = try Binary.run(["fixtures", "--out", out.url.path, "--arch", "4,3,2", "--samples", "5", "--seed", "5",
                                  "--bias", "--activation", activation])
        try #require(run.status == 0, "stderr: \(run.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.url.appendingPathComponent("manifest.json"))) as? [String: Any])
        let name = try #require((manifest["cases"] as? [[String: Any]])?.first?["name"] as? String)
        let folder = out.url.appendingPathComponent(name)
        let caseObject = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("case.json"))) as? [String: Any])
        var arrays: [String: NPYArray] = [:]
        for file in ["w1", "w2", "b1", "b2", "x", "y"] {
            arrays[file] = try NPY.read(contentsOf: folder.appendingPathComponent("\(file).npy").path)
        }
        return (arrays, try #require(caseObject["ranks"] as? [String: Int]))
    }

    static func json(_ run: Run) throws -> [String: Any] {
        try #require(run.status == 0, "stderr: \(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    /// The bias network of a fixture (integers, ranks certified by `fixtures`) written back as dyadic floats:
    /// W_1 / 2^3, W_2 / 2, X / 4, b_t at its layer's pre-activation scale (b_1 / 2^5 1-d, b_2 / 2^6 as 1 x 2) and
    /// Y / 2^6 at the outputs' scale. That is the integer network with every pre-activation divided by 2^(S_t)
    /// (positive homogeneity), so `rank --weights` must find the fixture's ranks, with inputExponents
    /// weights [3, 1], biases [5, 6], x 2, y 6 (every drawn matrix has an odd entry, so no exponent is smaller).
    @Test(arguments: ["relu", "leaky-relu:1/8", "linear"])
    func biasNetworkAsDyadicFloatsHasTheIntegerRanks(_ activation: String) throws {
        let (arrays, ranks) = try Self.fixture(activation: activation)
        let folder = try Folder()
        func scaled(_ name: String, _ exponent: Int) throws -> [Double] {
            let values = try #require(arrays[name]).doubles
            try #require(values.contains { Int($0) % 2 != 0 }, "\(name) has an odd entry")
            return values.map { $0 / Double(1 << exponent) }
        }
        try folder.save("w1.npy", [3, 4], scaled("w1", 3))
        try folder.save("w2.npy", [2, 3], scaled("w2", 1))
        try folder.save("b1.npy", [3], scaled("b1", 5))
        try folder.save("b2.npy", [1, 2], scaled("b2", 6))
        let x = try folder.save("x.npy", [5, 4], scaled("x", 2)), y = try folder.save("y.npy", [5, 2], scaled("y", 6))
        let object = try Self.json(Binary.run(["rank", "--weights", folder.url.path, "--x", x, "--y", y,
                                               "--activation", activation, "--json"]))
        #expect(object["ranks"] as? [String: Int] == ranks, "\(activation)")
        #expect(object["parameters"] as? Int == 23)
        let exponents = try #require(object["inputExponents"] as? [String: Any])
        #expect(exponents["weights"] as? [Int] == [3, 1] && exponents["biases"] as? [Int] == [5, 6]
                && exponents["x"] as? Int == 2 && exponents["y"] as? Int == 6, "\(exponents)")
    }

    /// Biases finer than their layer (b_t / 2^(S_t + 2)): the data are scaled up by 4 to keep them integer, and the
    /// files are the integer network (W, B, 4 X, 4 Y) at those scales, so their ranks are those of the integer files
    /// (W, B, 4 X, 4 Y) read without any scaling; inputExponents biases [7, 8], x 4, y 8.
    @Test func finerBiasesScaleTheDataUp() throws {
        let (arrays, _) = try Self.fixture(activation: "relu")
        func values(_ name: String, times factor: Double = 1, over exponent: Int = 0) throws -> [Double] {
            try #require(arrays[name]).doubles.map { $0 * factor / Double(1 << exponent) }
        }
        let integers = try Folder(), dyadic = try Folder()
        for (folder, scale) in [(integers, (w: [0, 0], b: [0, 0], x: 0)), (dyadic, (w: [3, 1], b: [7, 8], x: 2))] {
            try folder.save("w1.npy", [3, 4], values("w1", over: scale.w[0]))
            try folder.save("w2.npy", [2, 3], values("w2", over: scale.w[1]))
            try folder.save("b1.npy", [3, 1], values("b1", over: scale.b[0]))
            try folder.save("b2.npy", [2], values("b2", over: scale.b[1]))
        }
        try integers.save("x.npy", [5, 4], values("x", times: 4))
        try integers.save("y.npy", [5, 2], values("y", times: 4))
        try dyadic.save("x.npy", [5, 4], values("x", over: 2))
        try dyadic.save("y.npy", [5, 2], values("y", over: 6))
        var ranks: [[String: Int]] = []
        for folder in [integers, dyadic] {
            let object = try Self.json(Binary.run(["rank", "--weights", folder.url.path, "--x", folder.path("x.npy"),
                                                   "--y", folder.path("y.npy"), "--activation", "relu", "--json"]))
            ranks.append(try #require(object["ranks"] as? [String: Int]))
            if folder === dyadic {
                let exponents = try #require(object["inputExponents"] as? [String: Any])
                #expect(exponents["biases"] as? [Int] == [7, 8] && exponents["x"] as? Int == 4 && exponents["y"] as? Int == 8, "\(exponents)")
            }
        }
        #expect(ranks[0] == ranks[1])
    }

    /// Some but not all of b1.npy ... bL.npy, one too many, or one of the wrong shape: exit 2, naming the file(s) and,
    /// for a shape, both shapes.
    @Test func badBiasFilesAreRefused() throws {
        let folder = try Folder()
        try folder.save("w1.npy", [3, 4], (0..<12).map { Double($0 % 5) - 2 })
        try folder.save("w2.npy", [2, 3], [1, -1, 2, 3, 1, -2])
        let x = try folder.save("x.npy", [5, 4], (0..<20).map { Double($0 % 7) - 3 })
        let y = try folder.save("y.npy", [5, 2], (0..<10).map { Double($0 % 3) })
        func rank() throws -> Run { try Binary.run(["rank", "--weights", folder.url.path, "--x", x, "--y", y]) }

        try folder.save("b1.npy", [3], [1, 2, 3])
        let missing = try rank()
        #expect(missing.status == 2 && missing.stderr.contains("holds b1.npy but not b2.npy: give all of b1.npy ... b2.npy"), "\(missing.stderr)")

        try folder.save("b2.npy", [3], [1, 2, 3])
        let shape = try rank()
        #expect(shape.status == 2 && shape.stderr.contains("\(folder.path("b2.npy")): shape (3,) does not fit w2.npy of shape (2, 3): b2 needs 2 values, as shape (2,), (2, 1) or (1, 2)"),
                "\(shape.stderr)")
        try folder.save("b2.npy", [2, 2], [1, 2, 3, 4])
        #expect(try rank().stderr.contains("shape (2, 2) does not fit w2.npy of shape (2, 3)"))

        try folder.save("b2.npy", [2, 1], [1, -1])
        try folder.save("b3.npy", [1], [1])
        let extra = try rank()
        #expect(extra.status == 2 && extra.stderr.contains("holds b3.npy but only 2 weight matrices"), "\(extra.stderr)")

        try folder.remove("b3.npy")
        try folder.remove("b1.npy")
        let first = try rank()
        #expect(first.status == 2 && first.stderr.contains("holds b2.npy but not b1.npy"), "\(first.stderr)")

        try folder.save("b1.npy", [3], [1, .nan, 3])
        let nan = try rank()
        #expect(nan.status == 2 && nan.stderr.contains("\(folder.path("b1.npy")): contains nan"), "\(nan.stderr)")

        try folder.save("b1.npy", [3], [1, 0.5, 3])
        let good = try rank()
        #expect(good.status == 0 && good.stdout.contains("4,3,2 with bias"), "\(good.stderr)")
    }
}
