// Bad .npy files given to the built binary: each is refused with exit 2, nothing on stdout, and one line on stderr that
// names the option, the file and the reader's reason; the headers of all files are checked before any data are read.
import Foundation
import NPYFormat
import PropertyBased
import Testing

@Suite struct NPYInputFuzzTests {
    /// A version 1.0 file with `dict` as its header, framed as numpy frames it (padded to 64 bytes, newline last).
    static func npy(_ dict: String, data: [UInt8] = []) -> Data {
        var header = Array(dict.utf8)
        header += [UInt8](repeating: 0x20, count: 64 - (10 + header.count + 1) % 64) + [0x0A]
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + data)
    }

    /// Bad versions of a good 5 x 4 float64 file: cut short, a header byte changed, or a header promising a huge array.
    static let badFiles = zip(Gen.int(in: 0...2), Gen.int(in: 0...1_000_000), Gen<UInt8>.value(in: 1...255), Gen.int(in: 1...40))
        .map { kind, position, mask, exponent -> Data in
            let good = [UInt8](NPY.encode(NPYArray(shape: [5, 4], values: .float64((0..<20).map { Double($0) / 8 }))))
            switch kind {
            case 0: return Data(good.prefix(position % good.count))
            case 1:
                var bytes = good
                bytes[position % 128] ^= mask
                return Data(bytes)
            default:
                let shape = "(\(1 << exponent), \(1 << (10 + position % 50)))"   // 2^11 to 2^99 elements
                return npy("{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }", data: Array(good[128...]))
            }
        }

    @Test func badFilesExitTwoWithOneLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npy-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func save(_ name: String, _ data: Data) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }
        func values(_ n: Int) -> [Double] { (0..<n).map { Double($0 % 7) - 3 + 0.5 } }
        _ = try save("w1.npy", NPY.encode(NPYArray(shape: [3, 4], values: .float64(values(12)))))
        _ = try save("w2.npy", NPY.encode(NPYArray(shape: [2, 3], values: .float64(values(6)))))
        let y = try save("y.npy", NPY.encode(NPYArray(shape: [5, 2], values: .float64(values(10)))))
        /// Exit 2, stdout empty, and stderr exactly "error: --x PATH: REASON" on one line.
        func expectRefused(_ run: Run, _ path: String, _ reason: String, _ what: String) {
            #expect(run.status == 2 && run.stdout.isEmpty, "\(what): status \(run.status), stdout \(run.stdout)")
            #expect(run.stderr == "error: --x \(path): \(reason)\n", "\(what): \(run.stderr)")
        }

        // The adversarial review's file: shape (2^30, 2^30) of float64 used to trap both commands.
        let overflow = try save("overflow.npy", Self.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1073741824, 1073741824), }"))
        let overflowReason = "the shape [1073741824, 1073741824] with 8-byte elements needs 2^63 bytes or more"
        expectRefused(try Binary.run(["rank", "--weights", directory.path, "--x", overflow, "--y", y]), overflow, overflowReason, "rank")
        expectRefused(try Binary.run(["calibrate", "--arch", "4,3,2", "--x", overflow]), overflow, overflowReason, "calibrate")

        // Inputs from a fixed seed, the same on every run; the reader's reason is what the binary must print.
        var rng = Xoshiro(seed: (7, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
        var refused = 0
        for index in 0..<8 {
            let bytes = Self.badFiles.run(using: &rng)
            let reason: String
            do throws(NPY.ReadError) { _ = try NPY.parse(bytes); continue } catch { reason = error.reason }   // a harmless change
            let path = try save("bad\(index).npy", bytes)
            expectRefused(try Binary.run(["rank", "--weights", directory.path, "--x", path, "--y", y]), path, reason, "rank, case \(index)")
            expectRefused(try Binary.run(["calibrate", "--arch", "4,3,2", "--x", path]), path, reason, "calibrate, case \(index)")
            refused += 1
        }
        #expect(refused >= 6)

        // Headers first: the data in x are bad (a NaN), the header of y is absurd; y's header is what is refused.
        let nanX = try save("nan.npy", NPY.encode(NPYArray(shape: [5, 4], values: .float64([.nan] + values(19)))))
        let run = try Binary.run(["rank", "--weights", directory.path, "--x", nanX, "--y", overflow])
        #expect(run.status == 2 && run.stderr == "error: --y \(overflow): \(overflowReason)\n", "\(run.stderr)")
        // And a NaN in the first layer's data is not reached when x's header promises more data than the file holds.
        _ = try save("w1.npy", NPY.encode(NPYArray(shape: [3, 4], values: .float64([.nan] + values(11)))))
        let short = try save("short.npy", Self.npy("{'descr': '<f8', 'fortran_order': False, 'shape': (5, 4), }"))
        expectRefused(try Binary.run(["rank", "--weights", directory.path, "--x", short, "--y", y]), short,
                      "truncated data: the header promises 20 values (160 bytes), the file holds 0 bytes", "a NaN in w1, x cut short")
        // The memory limit is judged from the headers too: with a NaN in w1, the refusal is --max-memory's.
        let good = try save("good.npy", NPY.encode(NPYArray(shape: [5, 4], values: .float64(values(20)))))
        let memory = try Binary.run(["rank", "--weights", directory.path, "--x", good, "--y", y, "--max-memory", "1K"])
        #expect(memory.status == 2 && memory.stderr.hasPrefix("error: --max-memory: "), "\(memory.stderr)")
    }
}
