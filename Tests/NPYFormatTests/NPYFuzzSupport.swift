// What the fuzz suite builds its inputs from: a test-side writer that frames a header as numpy does, valid files whose
// values are known by construction, and the reader's outcome on any bytes.
import Foundation
import NPYFormat
import PropertyBased

/// numpy's framing (`_wrap_header`), written again here: the magic, the version, the header length (2 bytes in version
/// 1, 4 after), the dict text padded with spaces and a newline so that the data start at a multiple of `alignment`.
enum TestWriter {
    static func file(dict: String, version: UInt8 = 1, alignment: Int = 64, data: [UInt8]) -> [UInt8] {
        let fieldSize = version == 1 ? 2 : 4
        var header = Array(dict.utf8)
        let unpadded = 8 + fieldSize + header.count + 1
        header += [UInt8](repeating: 0x20, count: alignment - unpadded % alignment) + [0x0A]
        let length = (0..<fieldSize).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) }
        return [0x93] + Array("NUMPY".utf8) + [version, 0] + length + header + data
    }

    /// numpy's repr of a shape: (3,) for one dimension, (2, 3) otherwise.
    static func shape(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    static func dict(descr: String, shape: [Int]) -> String {
        "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(Self.shape(shape)), }"
    }
}

/// A valid file: dtype, shape and version drawn, data bytes drawn; its values are the data read as little-endian
/// words of the item size.
struct Sample: CustomStringConvertible {
    let dtype: NPYHeader.DType
    let shape: [Int]
    let version: UInt8
    let data: [UInt8]

    var dict: String { TestWriter.dict(descr: dtype.rawValue, shape: shape) }
    var bytes: [UInt8] { TestWriter.file(dict: dict, version: version, data: data) }
    var dataOffset: Int { bytes.count - data.count }
    var expectedBits: [UInt64] { littleEndianWords(data, width: dtype.itemSize) }
    var description: String { "version \(version).0 \(dtype.rawValue) \(shape)" }

    /// Shapes of 0 to 3 dimensions of 0 to 4 (at most 64 elements), any dtype and version, random data.
    static let generator = zip(Gen.int(in: 0...2), Gen.int(in: 0...4).array(of: 0...3), Gen<UInt8>.value(in: 1...3),
                               Gen<UInt8>.value().array(of: 64 * 8))
        .map { kind, shape, version, bytes in
            let dtype = NPYHeader.DType.allCases[kind]
            return Sample(dtype: dtype, shape: shape, version: version,
                          data: Array(bytes.prefix(shape.reduce(1, *) * dtype.itemSize)))
        }
}

func littleEndianWords(_ bytes: [UInt8], width: Int) -> [UInt64] {
    stride(from: 0, to: bytes.count, by: width).map { start in
        (0..<width).reduce(UInt64(0)) { $0 | UInt64(bytes[start + $1]) << (8 * UInt64($1)) }
    }
}

extension NPYArray {
    /// The values' bit patterns (a NaN compares by its bits).
    var bits: [UInt64] {
        switch values {
        case .float64(let v): v.map(\.bitPattern)
        case .float32(let v): v.map { UInt64($0.bitPattern) }
        case .int64(let v): v.map { UInt64(bitPattern: $0) }
        }
    }

    var dtype: NPYHeader.DType {
        switch values {
        case .float64: .float64
        case .float32: .float32
        case .int64: .int64
        }
    }
}

/// What the reader makes of some bytes.
enum Outcome: CustomStringConvertible {
    case accepted(NPYArray)
    case refused(String)

    init(_ bytes: [UInt8]) {
        do { self = .accepted(try NPY.parse(Data(bytes))) } catch { self = .refused(error.reason) }
    }

    var reason: String? {
        if case .refused(let reason) = self { return reason }
        return nil
    }

    var array: NPYArray? {
        if case .accepted(let array) = self { return array }
        return nil
    }

    /// The whole outcome as text: the shape, dtype and every bit pattern, or the reason.
    var description: String {
        switch self {
        case .accepted(let a): "accepted \(a.shape) of \(a.dtype.rawValue) \(a.bits)"
        case .refused(let reason): "refused: \(reason)"
        }
    }
}
