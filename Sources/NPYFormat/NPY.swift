// NumPy's .npy format (version 1.0 to 3.0), read and written without NumPy: the exchange format of the float path
// (`--x FILE.npy`) and of fixtures.
//
// Layout: the magic "\x93NUMPY", a major and minor version byte, the header length (2 bytes little-endian in
// version 1, 4 bytes in versions 2 and 3), an ASCII (UTF-8 in version 3) Python dict literal such as
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), } padded with spaces and a newline, then the raw data.
// We read little-endian float64, float32 and int64 in C order, and refuse everything else with a reason that names the
// file's problem: not an .npy, unsupported dtype, Fortran order, big-endian, truncated data.
import Foundation

public struct NPYArray: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        case float64([Double])
        case float32([Float])
        case int64([Int64])
    }

    public let shape: [Int]
    public let values: Values

    public init(shape: [Int], values: Values) {
        self.shape = shape
        self.values = values
    }

    /// Every value as a Double (float32 widens exactly; int64 exactly below 2^53).
    public var doubles: [Double] {
        switch values {
        case .float64(let v): v
        case .float32(let v): v.map(Double.init)
        case .int64(let v): v.map(Double.init)
        }
    }

    /// The rows of a 2-d array.
    public var rows: [[Double]]? {
        guard shape.count == 2 else { return nil }
        let all = doubles, columns = shape[1]
        return (0..<shape[0]).map { Array(all[($0 * columns)..<(($0 + 1) * columns)]) }
    }
}

public enum NPY {
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    public static func read(contentsOf path: String) throws(ReadError) -> NPYArray {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ReadError("cannot read the file: \(error.localizedDescription)")
        }
        return try parse(data)
    }

    public static func parse(_ data: Data) throws(ReadError) -> NPYArray {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw ReadError("not an .npy file (no \\x93NUMPY magic)") }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1: (headerLength, headerStart) = (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
        case 2, 3:
            guard bytes.count >= 12 else { throw ReadError("truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default: throw ReadError("unsupported .npy version \(major).\(bytes[7])")
        }
        guard bytes.count >= headerStart + headerLength else { throw ReadError("truncated .npy header") }
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8) else {
            throw ReadError("the .npy header is not text")
        }
        let descr = try field("descr", in: header)
        let fortran = try field("fortran_order", in: header)
        let shapeText = try field("shape", in: header)
        guard fortran == "False" else {
            throw ReadError(fortran == "True" ? "Fortran order is not supported: save with numpy.ascontiguousarray (C order)"
                                              : "malformed fortran_order in the .npy header")
        }
        let shape = try parseShape(shapeText)
        let count = shape.reduce(1, *)
        let body = bytes[(headerStart + headerLength)...]
        let width: Int
        switch descr {
        case "<f8", "<i8": width = 8
        case "<f4": width = 4
        case ">f8", ">f4", ">i8": throw ReadError("big-endian data (\(descr)) is not supported: convert with arr.astype('<f8')")
        default: throw ReadError("unsupported dtype \(descr): use float64 ('<f8'), float32 ('<f4') or int64 ('<i8')")
        }
        guard body.count >= count * width else {
            throw ReadError("truncated data: the header promises \(count) values (\(count * width) bytes), the file holds \(body.count) bytes")
        }
        func word(_ index: Int) -> UInt64 {
            var value: UInt64 = 0
            for k in 0..<width { value |= UInt64(body[body.startIndex + index * width + k]) << (8 * UInt64(k)) }
            return value
        }
        switch descr {
        case "<f8": return NPYArray(shape: shape, values: .float64((0..<count).map { Double(bitPattern: word($0)) }))
        case "<f4": return NPYArray(shape: shape, values: .float32((0..<count).map { Float(bitPattern: UInt32(word($0))) }))
        default: return NPYArray(shape: shape, values: .int64((0..<count).map { Int64(bitPattern: word($0)) }))
        }
    }

    /// The value text of `'key': value` in the header dict.
    static func field(_ key: String, in header: String) throws(ReadError) -> String {
        guard let keyRange = header.range(of: "'\(key)':") else { throw ReadError("the .npy header has no '\(key)'") }
        var rest = header[keyRange.upperBound...].drop { $0 == " " }
        if rest.first == "'" {
            rest = rest.dropFirst()
            guard let end = rest.firstIndex(of: "'") else { throw ReadError("malformed '\(key)' in the .npy header") }
            return String(rest[..<end])
        }
        if rest.first == "(" {
            guard let end = rest.firstIndex(of: ")") else { throw ReadError("malformed '\(key)' in the .npy header") }
            return String(rest[...end])
        }
        return String(rest.prefix { $0 != "," && $0 != "}" }).trimmingCharacters(in: .whitespaces)
    }

    static func parseShape(_ text: String) throws(ReadError) -> [Int] {
        let inner = text.dropFirst().dropLast()
        let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = []
        for part in parts {
            guard let n = Int(part), n >= 0 else { throw ReadError("malformed shape \(text) in the .npy header") }
            shape.append(n)
        }
        return shape
    }

    /// Version 1.0, C order, little-endian; the header is padded so that the data start at a multiple of 64 bytes.
    public static func encode(_ array: NPYArray) -> Data {
        let descr: String
        var payload: [UInt8] = []
        func append(_ bits: UInt64, _ width: Int) { for k in 0..<width { payload.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) } }
        switch array.values {
        case .float64(let v): descr = "<f8"; v.forEach { append($0.bitPattern, 8) }
        case .float32(let v): descr = "<f4"; v.forEach { append(UInt64($0.bitPattern), 4) }
        case .int64(let v): descr = "<i8"; v.forEach { append(UInt64(bitPattern: $0), 8) }
        }
        let shape = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        return Data(magic + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(header.utf8) + payload)
    }
}
