// A .safetensors file, read without the safetensors library: an 8-byte little-endian header length N, N bytes of
// JSON header, then the data buffer. The header maps each tensor's name to {"dtype", "shape", "data_offsets":
// [begin, end)} (offsets into the buffer), plus an optional "__metadata__" object of strings.
//
// Checked when the file is opened, before any value is read, as the format's specification requires: N at most
// `maximumHeaderLength` (the reference implementation's limit) and within the file; the header starts with '{', is
// well-formed JSON (StrictJSON: no repeated key in any object) and holds nothing else than the above (no unknown field
// in a tensor's entry, metadata values strings); shapes of non-negative integers whose element count times the dtype's
// size is the tensor's byte count, computed with overflow checks; and offsets that tile the buffer exactly, tensor
// after tensor, without overlap, gap or trailing bytes. Dtypes read: F64, F32, I64 and I32 (widened to int64); others
// are refused by name. A tensor's values are read from its range alone, straight into the array's storage.
import NPYFormat

public final class SafeTensorsFile: ArrayContainer {
    /// The longest header accepted: the safetensors library's own limit (100 MB).
    public static let maximumHeaderLength = 100_000_000

    enum DType: String, CaseIterable {
        case F64, F32, I64, I32
        var itemSize: Int { self == .F64 || self == .I64 ? 8 : 4 }
    }

    struct Tensor {
        let key: String
        let dtype: DType
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    let file: NPYFile
    /// Where the data buffer starts in the file: 8 + N.
    let bufferOffset: Int
    let tensors: [Tensor]
    let byKey: [String: Int]

    public var keys: [String] { tensors.map(\.key) }

    public init(_ file: NPYFile) throws(ContainerError) {
        self.file = file
        guard file.size >= 8 else {
            throw ContainerError("truncated safetensors file: \(file.size) bytes, fewer than the 8 of the header length")
        }
        let lengthBytes = try file.bytes(at: 0, count: 8)
        let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(lengthBytes[$1]) << (8 * UInt64($1)) }
        guard length <= UInt64(Self.maximumHeaderLength) else {
            throw ContainerError("the safetensors header length is \(length) bytes, above the format's limit of \(Self.maximumHeaderLength)")
        }
        guard Int(length) <= file.size - 8 else {
            throw ContainerError("truncated safetensors file: the header length field promises \(length) bytes, the file holds \(file.size - 8) after it")
        }
        let header = try file.bytes(at: 8, count: Int(length))
        guard header.first == UInt8(ascii: "{") else {
            throw ContainerError("the safetensors header does not start with '{' (its JSON object)")
        }
        bufferOffset = 8 + Int(length)
        let json: StrictJSON
        do { json = try StrictJSON.parse(header) } catch {
            if let key = error.repeatedTopLevelKey { throw ContainerError(key: key, "appears twice in the safetensors header (the format allows each name once)") }
            throw ContainerError(error.reason)
        }
        guard case .object(let entries) = json else { throw ContainerError("the safetensors header is not a JSON object") }
        var tensors: [Tensor] = []
        for (key, value) in entries {
            if key == "__metadata__" {
                guard case .object(let metadata) = value, metadata.allSatisfy({ if case .string = $0.value { true } else { false } }) else {
                    throw ContainerError("__metadata__ in the safetensors header is not an object of strings")
                }
                continue
            }
            tensors.append(try Self.tensor(key, value))
        }
        try Self.checkOffsets(tensors, bufferLength: file.size - bufferOffset)
        self.tensors = tensors
        byKey = Dictionary(tensors.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func shape(of key: String) throws(ContainerError) -> [Int] { try tensor(key).shape }

    public func array(_ key: String) throws(ContainerError) -> NPYArray {
        let tensor = try self.tensor(key)
        let count = (tensor.end - tensor.begin) / tensor.dtype.itemSize
        func values<T>(_ type: T.Type) throws(ContainerError) -> [T] {
            var failure: ContainerError?
            let result = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                do throws(NPY.ReadError) {
                    let got = try file.read(into: UnsafeMutableRawBufferPointer(buffer), at: bufferOffset + tensor.begin)
                    if got != tensor.end - tensor.begin { failure = ContainerError(key: key, "the file shrank while it was being read") }
                } catch {
                    failure = ContainerError(key: key, error.reason)
                }
                initialized = failure == nil ? count : 0
            }
            if let failure { throw failure }
            return result
        }
        let littleEndian = UInt16(littleEndian: 1) == 1
        switch tensor.dtype {
        case .F64:
            let v = try values(UInt64.self)
            return NPYArray(shape: tensor.shape, values: .float64(v.map { Double(bitPattern: littleEndian ? $0 : UInt64(littleEndian: $0)) }))
        case .F32:
            let v = try values(UInt32.self)
            return NPYArray(shape: tensor.shape, values: .float32(v.map { Float(bitPattern: littleEndian ? $0 : UInt32(littleEndian: $0)) }))
        case .I64:
            let v = try values(Int64.self)
            return NPYArray(shape: tensor.shape, values: .int64(littleEndian ? v : v.map { Int64(littleEndian: $0) }))
        case .I32:
            let v = try values(Int32.self)
            return NPYArray(shape: tensor.shape, values: .int64(v.map { Int64(littleEndian ? $0 : Int32(littleEndian: $0)) }))
        }
    }

    func tensor(_ key: String) throws(ContainerError) -> Tensor {
        guard let index = byKey[key] else { throw ContainerError(key: key, "not in the file") }
        return tensors[index]
    }

    /// A tensor's entry: exactly dtype, shape and data_offsets, consistent with each other.
    static func tensor(_ key: String, _ value: StrictJSON) throws(ContainerError) -> Tensor {
        guard case .object(let fields) = value else {
            throw ContainerError(key: key, "its entry in the safetensors header is \(value.kind), not an object with dtype, shape and data_offsets")
        }
        var dtype: StrictJSON?, shape: StrictJSON?, offsets: StrictJSON?
        for (name, field) in fields {
            switch name {
            case "dtype": dtype = field
            case "shape": shape = field
            case "data_offsets": offsets = field
            default: throw ContainerError(key: key, "unknown field \(ContainerError.printable(name)) in its entry (expected dtype, shape and data_offsets)")
            }
        }
        guard let dtype, let shape, let offsets else {
            throw ContainerError(key: key, "its entry lacks " + [("dtype", dtype), ("shape", shape), ("data_offsets", offsets)]
                .filter { $0.1 == nil }.map(\.0).joined(separator: " and "))
        }
        guard case .string(let name) = dtype else { throw ContainerError(key: key, "dtype is \(dtype.kind), not a string such as \"F64\"") }
        guard let type = DType(rawValue: name) else {
            throw ContainerError(key: key, "unsupported dtype \(ContainerError.printable(name)): use F64, F32, I64 or I32")
        }
        guard case .array(let dimensions) = shape else { throw ContainerError(key: key, "shape is \(shape.kind), not an array of integers") }
        var sizes: [Int] = [], bytes = type.itemSize
        for dimension in dimensions {
            guard let n = dimension.nonNegativeInteger else {
                throw ContainerError(key: key, "the shape holds \(dimension.kind == "a number" ? "a number that is not a non-negative integer below 2^63" : dimension.kind)")
            }
            sizes.append(n)
            let (product, overflow) = bytes.multipliedReportingOverflow(by: n)
            guard !overflow else { throw ContainerError(key: key, "its shape with \(type.itemSize)-byte \(name) elements needs 2^63 bytes or more") }
            bytes = product
        }
        guard case .array(let pair) = offsets, pair.count == 2, let begin = pair[0].nonNegativeInteger, let end = pair[1].nonNegativeInteger else {
            throw ContainerError(key: key, "data_offsets is not a pair [begin, end] of non-negative integers")
        }
        guard begin <= end else { throw ContainerError(key: key, "data_offsets [\(begin), \(end)] ends before it begins") }
        guard end - begin == bytes else {
            throw ContainerError(key: key, "data_offsets [\(begin), \(end)] hold \(end - begin) bytes, but shape \(sizes) of \(name) takes \(bytes)")
        }
        return Tensor(key: key, dtype: type, shape: sizes, begin: begin, end: end)
    }

    /// The tensors' ranges, in order of their offsets, tile the buffer [0, bufferLength) exactly.
    static func checkOffsets(_ tensors: [Tensor], bufferLength: Int) throws(ContainerError) {
        let ordered = tensors.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var covered = 0, previous: Tensor?
        for tensor in ordered {
            if tensor.begin < covered, let previous {
                throw ContainerError(key: tensor.key, "data_offsets [\(tensor.begin), \(tensor.end)] overlap those of key \(ContainerError.printable(previous.key)), [\(previous.begin), \(previous.end)]")
            }
            guard tensor.begin == covered else {
                throw ContainerError(key: tensor.key, "data_offsets [\(tensor.begin), \(tensor.end)] leave the bytes [\(covered), \(tensor.begin)) of the data buffer unused (the format allows no gap)")
            }
            guard tensor.end <= bufferLength else {
                throw ContainerError(key: tensor.key, "data_offsets [\(tensor.begin), \(tensor.end)] run past the data buffer, which holds \(bufferLength) bytes")
            }
            covered = tensor.end
            previous = tensor
        }
        guard covered == bufferLength else {
            throw ContainerError("the data buffer holds \(bufferLength) bytes, but the tensors cover \(covered) (the format allows no trailing bytes)")
        }
    }
}
