// Named arrays in one file: an .npz (numpy.savez or numpy.savez_compressed: a zip of .npy members) or a .safetensors
// file. Both are read with the guarantees of NPYFormat's .npy reader: every array's shape is known (and the container's
// whole structure checked) before any array's values are read, so that a caller can check shapes and memory first; no
// file makes a reader trap, hang or allocate more than the limits each reader states; every refusal is one line that
// names the key at fault when there is one. Values come back as an NPYArray (float64, float32 or int64).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NPYFormat

public struct ContainerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The array at fault (its key, as printed by `printable`), nil for the container as a whole.
    public let key: String?
    public let reason: String

    public init(key: String? = nil, _ reason: String) {
        self.key = key.map(Self.printable)
        self.reason = reason
    }

    /// "key w2: reason", or the reason alone.
    public var description: String { (key.map { "key \($0): " } ?? "") + reason }

    /// A name from a file as a message can show it on one line: control characters (line breaks among them) as
    /// \u{...} escapes, and at most 100 characters.
    public static func printable(_ name: String) -> String {
        var text = ""
        for scalar in name.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator || scalar.properties.generalCategory == .format {
                text += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text.count <= 100 ? text : String(text.prefix(100)) + "..."
    }
}

public protocol ArrayContainer: AnyObject {
    /// Every array's key, in the file's order.
    var keys: [String] { get }
    /// The shape of `key`'s array, known without reading its values (an .npz reads the member's .npy header only).
    func shape(of key: String) throws(ContainerError) -> [Int]
    /// The array of `key`: the shape `shape(of:)` gave, with every value.
    func array(_ key: String) throws(ContainerError) -> NPYArray
}

public enum ArrayContainers {
    /// The kinds of file `open` reads, for messages.
    public static let kinds = "an .npz (numpy.savez, numpy.savez_compressed) or a .safetensors file"

    /// The container at `path`: an .npz or .safetensors file by its extension, else by its first bytes (a zip starts
    /// with PK; a safetensors header's JSON with '{' after the 8-byte length). Its structure is checked here.
    public static func open(_ path: String) throws(ContainerError) -> any ArrayContainer {
        let file: NPYFile
        do { file = try NPYFile(path: path) } catch { throw ContainerError(error.reason) }
        let lowercased = path.lowercased()
        if lowercased.hasSuffix(".npz") { return try NPZArchive(file) }
        if lowercased.hasSuffix(".safetensors") { return try SafeTensorsFile(file) }
        let first = try file.bytes(at: 0, count: min(file.size, 9))
        if first.starts(with: [0x50, 0x4B]) { return try NPZArchive(file) }
        if first.count == 9, first[8] == UInt8(ascii: "{") { return try SafeTensorsFile(file) }
        throw ContainerError("neither \(kinds) (no zip signature, no safetensors header)")
    }
}

extension NPYFile {
    /// Exactly `count` bytes from `offset` (which the caller has checked are in the file).
    func bytes(at offset: Int, count: Int) throws(ContainerError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        var failure: NPY.ReadError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(NPY.ReadError) { got = try read(into: buffer, at: offset) } catch { failure = error }
        }
        if let failure { throw ContainerError(failure.reason) }
        guard got == count else { throw ContainerError("the file shrank while it was being read") }
        return bytes
    }
}

/// Little-endian integers at `offset` of a byte array that holds them.
extension Array where Element == UInt8 {
    func littleEndian(_ offset: Int, _ width: Int) -> Int {
        (0..<width).reduce(0) { $0 | Int(self[offset + $1]) << (8 * $1) }
    }
}
