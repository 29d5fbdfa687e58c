// rank --weights FILE.npz / FILE.safetensors (ArrayContainers, WeightFiles), through the binary: the same network from
// a folder of .npy files, from .npz archives (stored and deflated) and from .safetensors files gives the same exact
// ranks; bad containers exit 2 with one line naming the file and the key.
import ArrayContainers
import Foundation
import NPYFormat
import Testing
import ZIPFoundation

/// Test-side writers of the two containers.
enum ContainerWriter {
    /// A zip of KEY.npy members, written by ZIPFoundation (stored or deflated), in memory.
    static func npz(_ arrays: [(String, NPYArray)], deflated: Bool) throws -> Data {
        try zip(arrays.map { ($0.0 + ".npy", NPY.encode($0.1)) }, deflated: deflated)
    }

    /// A zip of named members with the given bytes.
    static func zip(_ members: [(String, Data)], deflated: Bool) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for (name, data) in members {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: deflated ? .deflate : .none) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        return try #require(archive.data)
    }

    /// A safetensors file: the arrays' bytes one after the other, the header padded with spaces to 8 bytes.
    /// `header` rewrites the header text before it is framed, for bad files.
    static func safetensors(_ arrays: [(String, NPYArray)], header edit: (String) -> String = { $0 }) -> Data {
        var entries: [String] = [], buffer: [UInt8] = []
        for (key, array) in arrays {
            let (dtype, bytes): (String, [UInt8])
            switch array.values {
            case .float64(let v): (dtype, bytes) = ("F64", v.flatMap { littleEndian($0.bitPattern, 8) })
            case .float32(let v): (dtype, bytes) = ("F32", v.flatMap { littleEndian(UInt64($0.bitPattern), 4) })
            case .int64(let v): (dtype, bytes) = ("I64", v.flatMap { littleEndian(UInt64(bitPattern: $0), 8) })
            }
            entries.append("\"\(key)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(array.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(buffer.count),\(buffer.count + bytes.count)]}")
            buffer += bytes
        }
        var header = Array(edit("{\"__metadata__\":{\"format\":\"np\"}," + entries.joined(separator: ",") + "}").utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        return Data(littleEndian(UInt64(header.count), 8) + header + buffer)
    }

    static func littleEndian(_ bits: UInt64, _ width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) }
    }
}

@Suite struct WeightContainersTests {
    typealias Folder = WeightFilesTests.Folder

    /// The report's fields that depend on the network and data only (not on primes or timings).
    static let fields = ["ranks", "inputExponents", "inputs", "architecture", "parameters", "samples", "dataRank",
                         "augmentedDataRank", "bias"]

    static func report(_ arguments: [String]) throws -> [String: NSObject] {
        let object = try WeightFilesTests.json(Binary.run(["rank"] + arguments + ["--json"]))
        return object.filter { fields.contains($0.key) }.compactMapValues { $0 as? NSObject }
    }

    /// The networks: the fixture's bias network as dyadic floats (WeightFilesTests), the same without biases, and a
    /// 3-layer network of mixed dtypes (float32 and int64 weights, float32 data) without biases.
    static func networks() throws -> [(name: String, activation: String, arrays: [(String, NPYArray)])] {
        let (fixture, _) = try WeightFilesTests.fixture(activation: "relu")
        func scaled(_ name: String, _ shape: [Int], _ exponent: Int) throws -> (String, NPYArray) {
            let values = try #require(fixture[name]).doubles.map { $0 / Double(1 << exponent) }
            return (name, NPYArray(shape: shape, values: .float64(values)))
        }
        let bias = try [scaled("w1", [3, 4], 3), scaled("w2", [2, 3], 1), scaled("b1", [3], 5), scaled("b2", [1, 2], 6),
                        scaled("x", [5, 4], 2), scaled("y", [5, 2], 6)]
        let mixed: [(String, NPYArray)] = [
            ("w1", NPYArray(shape: [4, 3], values: .float32((0..<12).map { Float($0 % 5) - 2.5 }))),
            ("w2", NPYArray(shape: [3, 4], values: .int64((0..<12).map { Int64($0 % 7) - 3 }))),
            ("w3", NPYArray(shape: [2, 3], values: .float64([1, -0.5, 2, 0.25, -1, 3]))),
            ("x", NPYArray(shape: [6, 3], values: .float32((0..<18).map { Float(($0 * 7) % 11) / 4 - 1 }))),
            ("y", NPYArray(shape: [6, 2], values: .float64((0..<12).map { Double($0 % 5) / 8 }))),
        ]
        return [("bias", "relu", bias), ("no bias", "relu", bias.filter { !$0.0.hasPrefix("b") }),
                ("mixed dtypes", "leaky-relu:1/8", mixed)]
    }

    /// Each network from a folder, from .npz files (stored with x and y inside, deflated with x and y as --x and
    /// --y files) and from .safetensors files (x and y inside, then as files): the same report fields.
    @Test func containersGiveTheFolderRanks() throws {
        for (name, activation, arrays) in try Self.networks() {
            let folder = try Folder()
            for (key, array) in arrays { try NPY.encode(array).write(to: URL(fileURLWithPath: folder.path("\(key).npy"))) }
            let data = ["--x", folder.path("x.npy"), "--y", folder.path("y.npy")]
            let expected = try Self.report(["--weights", folder.url.path, "--activation", activation] + data)
            #expect(expected["ranks"] != nil, "\(name)")
            let network = arrays.filter { $0.0 != "x" && $0.0 != "y" }
            let containers: [(String, Data, [String])] = [
                ("stored.npz", try ContainerWriter.npz(arrays, deflated: false), []),
                ("deflated.npz", try ContainerWriter.npz(network, deflated: true), data),
                ("model.safetensors", ContainerWriter.safetensors(arrays), []),
                ("weights.safetensors", ContainerWriter.safetensors(network), data),
            ]
            for (file, bytes, extra) in containers {
                try bytes.write(to: URL(fileURLWithPath: folder.path(file)))
                let got = try Self.report(["--weights", folder.path(file), "--activation", activation] + extra)
                #expect(got == expected, "\(name), \(file): \(got) vs \(expected)")
            }
        }
    }

    static let checkedIn = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/weight-containers")

    /// Files that numpy.savez, numpy.savez_compressed and safetensors.numpy.save_file wrote (Tests/fixtures/
    /// weight-containers/make.py: ZIP64 extra fields in every local header, mixed dtypes, x and y inside) give the
    /// ranks of the folder of .npy files numpy wrote beside them.
    @Test func filesWrittenByNumpyAndSafetensors() throws {
        let folder = Self.checkedIn.appendingPathComponent("folder")
        let expected = try Self.report(["--weights", folder.path, "--x", folder.appendingPathComponent("x.npy").path,
                                        "--y", folder.appendingPathComponent("y.npy").path])
        #expect(expected["ranks"] as? [String: Int] == ["loss": 20, "outer": 10, "functional": 12])
        for file in ["savez.npz", "savez_compressed.npz", "model.safetensors"] {
            let got = try Self.report(["--weights", Self.checkedIn.appendingPathComponent(file).path])
            #expect(got == expected, "\(file)")
        }
    }

    /// Exit 2, nothing on stdout, and exactly one line on stderr: "error: " and `message`.
    static func expectRefused(_ run: Run, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 2 && run.stdout.isEmpty, "status \(run.status), stdout \(run.stdout)", sourceLocation: sourceLocation)
        #expect(run.stderr.hasPrefix("error: " + message) && run.stderr.filter { $0 == "\n" }.count == 1,
                "\(run.stderr)", sourceLocation: sourceLocation)
    }

    static let good: [(String, NPYArray)] = [
        ("w1", NPYArray(shape: [3, 4], values: .float64((0..<12).map { Double($0 % 5) - 2 }))),
        ("w2", NPYArray(shape: [2, 3], values: .float64([1, -1, 2, 3, 1, -2]))),
        ("x", NPYArray(shape: [5, 4], values: .float64((0..<20).map { Double($0 % 7) - 3 }))),
        ("y", NPYArray(shape: [5, 2], values: .float64((0..<10).map { Double($0 % 3) }))),
    ]

    /// Bad .npz files: each refused naming the file and, where one is at fault, the key.
    @Test func badArchivesAreRefused() throws {
        let folder = try Folder()
        func rank(_ name: String, _ bytes: Data, _ extra: [String] = []) throws -> Run {
            try bytes.write(to: URL(fileURLWithPath: folder.path(name)))
            return try Binary.run(["rank", "--weights", folder.path(name)] + extra)
        }
        let deflated = try ContainerWriter.npz(Self.good, deflated: true)
        let p = { (name: String) in "--weights \(folder.path(name))" }

        #expect(try rank("good.npz", deflated).status == 0)
        Self.expectRefused(try rank("cut.npz", deflated.prefix(deflated.count / 2)), "\(p("cut.npz")): truncated zip archive: no end-of-central-directory record")
        Self.expectRefused(try rank("text.npz", Data("not a zip".utf8)), "\(p("text.npz")): not a zip archive")

        // A member that is not an .npy, by content or by name.
        var members = Self.good.map { ($0.0 + ".npy", NPY.encode($0.1)) }
        members[1].1 = Data("w2 as text".utf8)
        Self.expectRefused(try rank("text-member.npz", ContainerWriter.zip(members, deflated: true)),
                           "\(p("text-member.npz")): key w2: not an .npy file (no \\x93NUMPY magic)")
        members[1] = ("notes.txt", Data("hello".utf8))
        Self.expectRefused(try rank("notes.npz", ContainerWriter.zip(members, deflated: false)),
                           "\(p("notes.npz")): the zip member notes.txt is not an array")

        // A dtype the .npy reader refuses (int32), and a NaN.
        var int32 = Self.good.map { ($0.0 + ".npy", NPY.encode($0.1)) }
        int32[1].1 = NPYInputFuzzTests.npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data: [UInt8](repeating: 1, count: 24))
        Self.expectRefused(try rank("int32.npz", ContainerWriter.zip(int32, deflated: true)),
                           "\(p("int32.npz")): key w2: unsupported dtype <i4")
        var nan = Self.good
        nan[0].1 = NPYArray(shape: [3, 4], values: .float64([.nan] + (1..<12).map(Double.init)))
        Self.expectRefused(try rank("nan.npz", ContainerWriter.npz(nan, deflated: true)), "\(p("nan.npz")): key w1: contains nan")

        // Missing w2 (w3 present), an unknown key, a bias too many, x both inside and as --x.
        var gap = Self.good
        gap[1].0 = "w3"
        Self.expectRefused(try rank("gap.npz", ContainerWriter.npz(gap, deflated: false)), "\(p("gap.npz")): key w2: missing (the file holds w1, w3, x, y)")
        Self.expectRefused(try rank("torch.npz", ContainerWriter.npz(Self.good + [("fc1.weight", Self.good[0].1)], deflated: false)),
                           "\(p("torch.npz")): key fc1.weight: not an array of the network")
        Self.expectRefused(try rank("b3.npz", ContainerWriter.npz(Self.good + [("b3", Self.good[0].1)], deflated: false)),
                           "\(p("b3.npz")): key b3: but only 2 weight matrices")
        let x = folder.path("x.npy")
        try NPY.encode(Self.good[2].1).write(to: URL(fileURLWithPath: x))
        Self.expectRefused(try rank("both.npz", deflated, ["--x", x]),
                           "--x \(x): not with --weights \(folder.path("both.npz")), which holds the data as key x")
        Self.expectRefused(try rank("nodata.npz", ContainerWriter.npz(Array(Self.good.prefix(2)), deflated: true)),
                           "\(p("nodata.npz")): holds no key x: give the data with --x FILE.npy or as x in the file")

        // Zip bombs: a member declaring 4 GiB is refused before anything is inflated; one declaring its true size
        // in the local header but 64 bytes in the directory is stopped at 64 bytes while inflating.
        let zeros = NPYArray(shape: [1000, 1000], values: .float64([Double](repeating: 0, count: 1_000_000)))
        let bomb = [UInt8](try ContainerWriter.npz([("w1", zeros)], deflated: true))
        let directory = try #require(Self.lastIndex(of: [0x50, 0x4B, 0x01, 0x02], in: bomb))
        #expect(bomb.count < 20_000)
        var huge = bomb
        huge.replaceSubrange((directory + 24)..<(directory + 28), with: [0xF0, 0xFF, 0xFF, 0xFF])
        Self.expectRefused(try rank("huge.npz", Data(huge)),
                           "\(p("huge.npz")): key w1: w1.npy declares 4294967280 bytes uncompressed, above this reader's limit of 1073741824 bytes per member")
        var liar = bomb
        liar.replaceSubrange((directory + 24)..<(directory + 28), with: [64, 0, 0, 0])
        Self.expectRefused(try rank("liar.npz", Data(liar)),
                           "\(p("liar.npz")): key w1: w1.npy inflates to more than the 64 bytes the archive's directory declares")
        // A damaged CRC-32.
        var crc = [UInt8](try ContainerWriter.npz(Self.good, deflated: false))
        let start = try #require(Self.firstIndex(of: [0x50, 0x4B, 0x01, 0x02], in: crc))
        crc[start + 16] ^= 0xFF
        Self.expectRefused(try rank("crc.npz", Data(crc)), "\(p("crc.npz")): key w1: CRC-32 mismatch in w1.npy")
    }

    /// Bad .safetensors files: each refused naming the file and, where one is at fault, the key.
    @Test func badSafetensorsAreRefused() throws {
        let folder = try Folder()
        func rank(_ name: String, _ bytes: Data) throws -> Run {
            try bytes.write(to: URL(fileURLWithPath: folder.path(name)))
            return try Binary.run(["rank", "--weights", folder.path(name)])
        }
        let p = { (name: String) in "--weights \(folder.path(name))" }
        let good = ContainerWriter.safetensors(Self.good)
        #expect(try rank("good.safetensors", good).status == 0)

        // w2 given w1's offsets (the same byte count: a 2 x 3 tensor there too), so that the two overlap.
        let overlap = ContainerWriter.safetensors(Self.good) { $0.replacingOccurrences(of: "\"shape\":[3,4],\"data_offsets\":[0,96]", with: "\"shape\":[4,3],\"data_offsets\":[0,96]")
            .replacingOccurrences(of: "\"shape\":[2,3],\"data_offsets\":[96,144]", with: "\"shape\":[6],\"data_offsets\":[48,96]") }
        Self.expectRefused(try rank("overlap.safetensors", overlap),
                           "\(p("overlap.safetensors")): key w2: data_offsets [48, 96] overlap those of key w1, [0, 96]")
        let duplicate = ContainerWriter.safetensors(Self.good) { $0.replacingOccurrences(of: "\"w2\":", with: "\"w1\":") }
        Self.expectRefused(try rank("duplicate.safetensors", duplicate),
                           "\(p("duplicate.safetensors")): key w1: appears twice in the safetensors header")
        var beyond = [UInt8](good)
        beyond.replaceSubrange(0..<8, with: ContainerWriter.littleEndian(UInt64(good.count), 8))
        Self.expectRefused(try rank("beyond.safetensors", Data(beyond)),
                           "\(p("beyond.safetensors")): truncated safetensors file: the header length field promises \(good.count) bytes, the file holds \(good.count - 8) after it")
        var enormous = [UInt8](good)
        enormous.replaceSubrange(0..<8, with: ContainerWriter.littleEndian(1 << 62, 8))
        Self.expectRefused(try rank("enormous.safetensors", Data(enormous)),
                           "\(p("enormous.safetensors")): the safetensors header length is 4611686018427387904 bytes, above the format's limit of 100000000")
        let f16 = ContainerWriter.safetensors(Self.good) { $0.replacingOccurrences(of: "\"w2\":{\"dtype\":\"F64\"", with: "\"w2\":{\"dtype\":\"F16\"") }
        Self.expectRefused(try rank("f16.safetensors", f16), "\(p("f16.safetensors")): key w2: unsupported dtype F16: use F64, F32, I64 or I32")
        let size = ContainerWriter.safetensors(Self.good) { $0.replacingOccurrences(of: "\"shape\":[2,3]", with: "\"shape\":[3,3]") }
        Self.expectRefused(try rank("size.safetensors", size),
                           "\(p("size.safetensors")): key w2: data_offsets [96, 144] hold 48 bytes, but shape [3, 3] of F64 takes 72")
        let gap = ContainerWriter.safetensors(Self.good) { $0.replacingOccurrences(of: "\"w2\"", with: "\"w3\"") }
        Self.expectRefused(try rank("gap.safetensors", gap), "\(p("gap.safetensors")): key w2: missing (the file holds w1, w3, x, y)")
        let json = ContainerWriter.safetensors(Self.good) { $0 + "," }
        Self.expectRefused(try rank("json.safetensors", json), "\(p("json.safetensors")): malformed JSON header: expected the end of the header")
        Self.expectRefused(try rank("short.safetensors", good.prefix(good.count - 1)),
                           "\(p("short.safetensors")): key y: data_offsets [304, 384] run past the data buffer, which holds 383 bytes")
    }

    static func firstIndex(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        (0...(bytes.count - pattern.count)).first { Array(bytes[$0..<($0 + pattern.count)]) == pattern }
    }

    static func lastIndex(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        stride(from: bytes.count - pattern.count, through: 0, by: -1).first { Array(bytes[$0..<($0 + pattern.count)]) == pattern }
    }
}
