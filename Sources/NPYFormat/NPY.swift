// NumPy's .npy format (version 1.0 to 3.0), read and written without NumPy: the exchange format of the float path
// (`--x FILE.npy`) and of fixtures.
//
// Layout: the magic "\x93NUMPY", a major and minor version byte, the header length (2 bytes little-endian in
// version 1, 4 bytes in versions 2 and 3), an ASCII (UTF-8 in version 3) Python dict literal such as
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), } padded with spaces and a newline, then the raw data.
// We read little-endian float64, float32 and int64 in C order, and refuse everything else with a reason that names the
// file's problem: not an .npy, unsupported dtype, Fortran order, big-endian, truncated data, and each way a header can
// be malformed (NPYHeader lists the checks). No file makes the reader trap or allocate more than the file's size:
// the header is parsed and checked against the file's size before the data are read (`NPY.header(contentsOf:)` does
// only that, for callers that check shapes and memory first), and the data go straight into the array's storage.
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

    /// The rows of a 2-d array whose values fill its shape; nil for an array with rows of no columns, which a file
    /// can claim in a few bytes for any number of rows (listing 2^60 empty rows would exhaust memory).
    public var rows: [[Double]]? {
        guard shape.count == 2, shape[0] == 0 || shape[1] > 0 else { return nil }
        let all = doubles, columns = shape[1]
        guard shape[0].multipliedReportingOverflow(by: columns) == (all.count, false) else { return nil }
        return (0..<shape[0]).map { Array(all[($0 * columns)..<(($0 + 1) * columns)]) }
    }
}

public enum NPY {
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    /// The header of the file at `path`, read from its first bytes only and checked against the file's size.
    public static func header(contentsOf path: String) throws(ReadError) -> NPYHeader {
        let file = try NPYFile(path: path)
        return try NPYHeader(parsing: file.prefix(), fileSize: file.size)
    }

    /// The array in the file at `path`: its header is checked first, so that the array allocated is never larger
    /// than the data in the file.
    public static func read(contentsOf path: String) throws(ReadError) -> NPYArray {
        let file = try NPYFile(path: path)
        let header = try NPYHeader(parsing: file.prefix(), fileSize: file.size)
        return try decode(header) { (buffer) throws(ReadError) in
            let got = try file.read(into: buffer, at: header.dataOffset)
            guard got == buffer.count else {
                throw ReadError("truncated data: the file shrank to \(header.dataOffset + got) bytes while being read")
            }
        }
    }

    /// The array in `data`, the bytes of a whole .npy file.
    public static func parse(_ data: Data) throws(ReadError) -> NPYArray {
        let header = try NPYHeader(parsing: data, fileSize: data.count)
        return try decode(header) { buffer in
            let start = data.startIndex + header.dataOffset
            data.copyBytes(to: buffer, from: start..<(start + buffer.count))
        }
    }

    /// The values `header` describes, read by `fill` straight into the array's storage (byteCount bytes, which the
    /// header has checked are in the file) and put into host byte order.
    static func decode(_ header: NPYHeader,
                       fill: (UnsafeMutableRawBufferPointer) throws(ReadError) -> Void) throws(ReadError) -> NPYArray {
        func values<T>(_ fromLittleEndian: (T) -> T) throws(ReadError) -> [T] {
            var failure: ReadError?
            var result = [T](unsafeUninitializedCapacity: header.elementCount) { buffer, initialized in
                do throws(ReadError) {
                    try fill(UnsafeMutableRawBufferPointer(buffer))
                    initialized = buffer.count
                } catch {
                    failure = error
                    initialized = 0
                }
            }
            if let failure { throw failure }
            if UInt16(littleEndian: 1) != 1 { for i in result.indices { result[i] = fromLittleEndian(result[i]) } }
            return result
        }
        switch header.dtype {
        case .float64: return NPYArray(shape: header.shape, values: .float64(try values { Double(bitPattern: UInt64(littleEndian: $0.bitPattern)) }))
        case .float32: return NPYArray(shape: header.shape, values: .float32(try values { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }))
        case .int64: return NPYArray(shape: header.shape, values: .int64(try values { Int64(littleEndian: $0) }))
        }
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
        return Data(NPYHeader.magic + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(header.utf8) + payload)
    }
}
