// Mutated .npz and .safetensors files: the readers (ArrayContainers, in this process) never trap, hang or answer with
// more than one line, whatever the bytes; and the binary given a few of them exits 0 with a report or 2 with one line
// naming the file, nothing on stdout.
import ArrayContainers
import Foundation
import NPYFormat
import PropertyBased
import Testing

@Suite struct ContainerInputFuzzTests {
    /// A good file's bytes changed: cut short, a byte changed (anywhere, or in the last quarter, where a zip's
    /// directory and a safetensors header's end are), a 4-byte field set to an extreme, bytes inserted, or a digit
    /// changed (a safetensors header's shapes and offsets).
    static let choices = zip(Gen.int(in: 0...5), Gen.int(in: 0...1_000_000), Gen<UInt8>.value(in: 1...255), Gen.int(in: 0...4))

    static func mutated(_ good: [UInt8], using rng: inout Xoshiro) -> [UInt8] {
        let (kind, position, mask, extreme) = choices.run(using: &rng)
        var bytes = good
        switch kind {
        case 0: return Array(good.prefix(position % good.count))
        case 1: bytes[position % good.count] ^= mask
        case 2: bytes[good.count - 1 - position % (good.count / 4)] ^= mask
        case 3:
            let value: UInt32 = [0, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, UInt32(position)][extreme]
            let at = position % (good.count - 4)
            for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
        case 4: bytes.insert(contentsOf: [UInt8](repeating: mask, count: 1 + extreme), at: position % good.count)
        default:
            let digits = bytes.indices.filter { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[$0]) }
            guard !digits.isEmpty else { return bytes }
            bytes[digits[position % digits.count]] = UInt8(ascii: "0") + mask % 10
        }
        return bytes
    }

    /// What the reader makes of `bytes` saved as `name`: nil when every array reads, else the refusal.
    static func outcome(_ bytes: [UInt8], _ path: String) throws -> ContainerError? {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do throws(ContainerError) {
            let container = try ArrayContainers.open(path)
            for key in container.keys {
                let shape = try container.shape(of: key)
                let array = try container.array(key)
                #expect(array.shape == shape, "\(path): \(key)")
            }
            return nil
        } catch {
            return error
        }
    }

    /// Good files to mutate: .npz stored and deflated (ZIPFoundation), numpy's own, and a safetensors file.
    static func goodFiles() throws -> [(String, [UInt8])] {
        let arrays = WeightContainersTests.good
        let checkedIn = WeightContainersTests.checkedIn.appendingPathComponent("savez_compressed.npz")
        return [("stored.npz", [UInt8](try ContainerWriter.npz(arrays, deflated: false))),
                ("deflated.npz", [UInt8](try ContainerWriter.npz(arrays, deflated: true))),
                ("numpy.npz", [UInt8](try Data(contentsOf: checkedIn))),
                ("model.safetensors", [UInt8](ContainerWriter.safetensors(arrays)))]
    }

    @Test func mutatedContainersNeverTrap() throws {
        let folder = try WeightFilesTests.Folder()
        var rng = Xoshiro(seed: (16, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
        for (name, good) in try Self.goodFiles() {
            #expect(try Self.outcome(good, folder.path(name)) == nil, "\(name) reads")
            var refused = 0
            for index in 0..<300 {
                let bytes = Self.mutated(good, using: &rng)
                let path = folder.path("\(index)-\(name)")
                guard let error = try Self.outcome(bytes, path) else { continue }
                #expect(!error.description.contains("\n"), "\(path): \(error)")
                refused += 1
            }
            #expect(refused >= 150, "\(name): \(refused) of 300 refused")
        }
    }

    /// A few mutated files through the binary: exit 0 with a JSON report, or exit 2 with one line (that names the file
    /// whenever this process's reader refused it).
    @Test func mutatedContainersThroughTheBinary() throws {
        let folder = try WeightFilesTests.Folder()
        var rng = Xoshiro(seed: (61, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9, 0x94D0_49BB_1331_11EB))
        for (name, good) in try Self.goodFiles() {
            for index in 0..<4 {
                let bytes = Self.mutated(good, using: &rng)
                let path = folder.path("\(index)-\(name)")
                let error = try Self.outcome(bytes, path)
                let run = try Binary.run(["rank", "--weights", path, "--json"])
                #expect(run.status == 0 || run.status == 2, "\(path): status \(run.status), \(run.stderr)")
                if run.status == 0 {
                    #expect(error == nil && (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) != nil, "\(path)")
                } else {
                    #expect(run.stdout.isEmpty && run.stderr.hasPrefix("error: ") && run.stderr.filter { $0 == "\n" }.count == 1,
                            "\(path): \(run.stderr)")
                    #expect(error == nil || run.stderr.hasPrefix("error: --weights \(path): "), "\(path): \(run.stderr) vs \(String(describing: error))")
                }
            }
        }
    }
}
