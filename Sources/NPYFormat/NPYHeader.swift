// An .npy file's header, read and checked on its own: what the file holds and how many bytes that takes, known before
// any of the data are read, so that a caller can check shapes and estimate memory first, and so that no array is
// allocated for more bytes than the file holds.
//
// We check what numpy checks (the magic, versions 1.0, 2.0 and 3.0, the header length within the file and within
// numpy's 10,000-byte limit, a dict with exactly the keys descr, fortran_order and shape, a tuple of integers for the
// shape), and also what numpy's writers guarantee but its reader leaves unchecked, because a file that breaks these
// was not written as the format says and may be misread: the header ends in a newline after space padding and the data
// start on a 16-byte boundary (numpy aligns to 64, its older versions to 16); a key appears only
// once (numpy would take the last); shape entries are plain non-negative decimal integers (numpy would accept `0x10`
// and fail later on `-3`); and the data fill the rest of the file exactly, neither short nor with bytes after them
// (numpy ignores extra bytes). The byte count is computed with overflow checks and bounded as numpy bounds it (the
// nonzero dimensions times the item size below 2^63): a shape such as (2^20, 2^20) of float64 is refused as larger
// than the file, (2^30, 2^30) as needing 2^63 bytes or more.

public struct NPYHeader: Sendable, Equatable {
    /// The element types we read: little-endian float64, float32 and int64, by their numpy descr.
    public enum DType: String, Sendable, CaseIterable {
        case float64 = "<f8"
        case float32 = "<f4"
        case int64 = "<i8"

        /// Bytes per element.
        public var itemSize: Int { self == .float32 ? 4 : 8 }
    }

    public let majorVersion: UInt8
    public let minorVersion: UInt8
    public let dtype: DType
    /// The array's shape; empty for a 0-d array (one element).
    public let shape: [Int]
    /// The product of the shape (1 for a 0-d array); it fits in an Int, and its bytes are in the file.
    public let elementCount: Int
    /// elementCount * dtype.itemSize: the data bytes, which are exactly the bytes after the header.
    public let byteCount: Int
    /// Where the data start: the magic, version, length field and header together.
    public let dataOffset: Int

    /// numpy refuses longer headers unless told the file is trusted (`max_header_size`); ours need a few hundred bytes.
    public static let maximumHeaderLength = 10_000
    /// numpy's limit on the number of dimensions (NPY_MAXDIMS in numpy 2).
    public static let maximumDimensions = 64
    /// The most bytes a header parse needs from the start of the file.
    public static let maximumPrefixLength = 12 + maximumHeaderLength

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// The header at the start of `prefix`, the first bytes of a file of `fileSize` bytes: at least the first
    /// `maximumPrefixLength` bytes, or the whole file when it is shorter (more is ignored).
    public init(parsing prefix: some Collection<UInt8>, fileSize: Int) throws(NPY.ReadError) {
        let bytes = Array(prefix.prefix(Self.maximumPrefixLength))
        guard bytes.count >= Self.magic.count, Array(bytes[0..<Self.magic.count]) == Self.magic else {
            if bytes.count < Self.magic.count, bytes.elementsEqual(Self.magic.prefix(bytes.count)) {
                throw NPY.ReadError("truncated .npy header: the file ends after \(bytes.count) bytes")
            }
            throw NPY.ReadError("not an .npy file (no \\x93NUMPY magic)")
        }
        guard bytes.count >= 8 else { throw NPY.ReadError("truncated .npy header: the file ends after \(bytes.count) bytes") }
        (majorVersion, minorVersion) = (bytes[6], bytes[7])
        guard minorVersion == 0, (1...3).contains(majorVersion) else {
            throw NPY.ReadError("unsupported .npy version \(majorVersion).\(minorVersion) (numpy writes 1.0, 2.0 and 3.0)")
        }
        let fieldSize = majorVersion == 1 ? 2 : 4, headerStart = 8 + fieldSize
        guard bytes.count >= headerStart else { throw NPY.ReadError("truncated .npy header: the file ends after \(bytes.count) bytes") }
        let headerLength = (0..<fieldSize).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        guard headerLength <= fileSize - headerStart else {
            throw NPY.ReadError("truncated .npy header: the length field promises \(headerLength) bytes of header, the file holds \(max(fileSize - headerStart, 0))")
        }
        guard headerLength <= Self.maximumHeaderLength else {
            throw NPY.ReadError("the .npy header is \(headerLength) bytes long, above numpy's limit of \(Self.maximumHeaderLength)")
        }
        dataOffset = headerStart + headerLength
        guard bytes.count >= dataOffset else {
            throw NPY.ReadError("truncated .npy header: \(bytes.count) bytes read of the \(dataOffset) the header takes")
        }
        guard dataOffset % 16 == 0 else {
            throw NPY.ReadError("misaligned .npy header: the data would start at byte \(dataOffset), not a multiple of 16 (numpy pads the header to a multiple of 64)")
        }
        let text = Array(bytes[headerStart..<dataOffset])
        if let position = text.firstIndex(where: { $0 >= 0x80 }) {
            throw NPY.ReadError("the .npy header is not ASCII text (byte 0x\(String(text[position], radix: 16, uppercase: true)) at character \(position + 1))")
        }
        guard text.last == UInt8(ascii: "\n") else { throw NPY.ReadError("the .npy header does not end in a newline") }
        let (entries, end) = try HeaderLiteral.dictionary(text)
        guard text[end..<(text.count - 1)].allSatisfy({ $0 == UInt8(ascii: " ") }) else {
            throw NPY.ReadError("the .npy header holds more than spaces between its dict and the final newline")
        }
        let fields = try Self.fields(entries)
        dtype = try Self.dtype(fields.descr)
        switch fields.fortranOrder {
        case .word("False"): break
        case .word("True"): throw NPY.ReadError("Fortran order is not supported: save with numpy.ascontiguousarray (C order)")
        default: throw NPY.ReadError("malformed fortran_order \(fields.fortranOrder.description) in the .npy header: expected True or False")
        }
        shape = try Self.shape(fields.shape, version: majorVersion)
        // numpy's bound: the nonzero dimensions times the item size fit in a signed 64-bit count, even when another
        // dimension is 0 (it refuses (2^62, 0) of float64 as too big).
        var bound = dtype.itemSize
        for n in shape where n > 0 {
            let (product, overflow) = bound.multipliedReportingOverflow(by: n)
            guard !overflow else {
                throw NPY.ReadError("the shape \(shape) with \(dtype.itemSize)-byte elements needs 2^63 bytes or more")
            }
            bound = product
        }
        byteCount = shape.contains(0) ? 0 : bound
        elementCount = byteCount / dtype.itemSize
        let present = fileSize - dataOffset
        guard present >= byteCount else {
            throw NPY.ReadError("truncated data: the header promises \(elementCount) values (\(byteCount) bytes), the file holds \(present) bytes")
        }
        guard present == byteCount else {
            throw NPY.ReadError("the file holds \(present - byteCount) bytes after the \(elementCount) values (\(byteCount) bytes) that the header promises")
        }
    }

    /// The three fields, each exactly once and nothing else.
    static func fields(_ entries: [(key: String, value: HeaderLiteral)])
        throws(NPY.ReadError) -> (descr: HeaderLiteral, fortranOrder: HeaderLiteral, shape: HeaderLiteral) {
        var found: [String: HeaderLiteral] = [:]
        for (key, value) in entries {
            guard ["descr", "fortran_order", "shape"].contains(key) else {
                throw NPY.ReadError("the .npy header has the unknown key '\(key)' (expected exactly descr, fortran_order and shape)")
            }
            guard found.updateValue(value, forKey: key) == nil else { throw NPY.ReadError("the .npy header repeats the key '\(key)'") }
        }
        guard let descr = found["descr"] else { throw NPY.ReadError("the .npy header has no 'descr'") }
        guard let fortranOrder = found["fortran_order"] else { throw NPY.ReadError("the .npy header has no 'fortran_order'") }
        guard let shape = found["shape"] else { throw NPY.ReadError("the .npy header has no 'shape'") }
        return (descr, fortranOrder, shape)
    }

    static func dtype(_ descr: HeaderLiteral) throws(NPY.ReadError) -> DType {
        guard case .string(let text) = descr else {
            if case .list = descr { throw NPY.ReadError("unsupported dtype: a structured dtype; use float64 ('<f8'), float32 ('<f4') or int64 ('<i8')") }
            throw NPY.ReadError("malformed descr \(descr.description) in the .npy header: expected a dtype string such as '<f8'")
        }
        if let dtype = DType(rawValue: text) { return dtype }
        if [">f8", ">f4", ">i8"].contains(text) {
            throw NPY.ReadError("big-endian data (\(text)) is not supported: convert with arr.astype('<f8')")
        }
        throw NPY.ReadError("unsupported dtype \(text): use float64 ('<f8'), float32 ('<f4') or int64 ('<i8')")
    }

    /// A tuple of plain decimal integers, each at least 0 and below 2^63; versions 1.0 and 2.0 may carry Python 2's
    /// long suffix (`3L`), which numpy also accepts there.
    static func shape(_ literal: HeaderLiteral, version: UInt8) throws(NPY.ReadError) -> [Int] {
        guard case .tuple(let items) = literal else {
            throw NPY.ReadError("malformed shape \(literal.description) in the .npy header: expected a tuple such as (3, 4)")
        }
        guard items.count <= maximumDimensions else {
            throw NPY.ReadError("the shape has \(items.count) dimensions, above numpy's limit of \(maximumDimensions)")
        }
        var shape: [Int] = []
        for item in items {
            guard case .word(var text) = item else {
                throw NPY.ReadError("malformed shape \(literal.description) in the .npy header: \(item.description) is not an integer")
            }
            if version <= 2, text.count > 1, text.hasSuffix("L") { text.removeLast() }
            if text.hasPrefix("-"), isDecimal(text.dropFirst()) {
                throw NPY.ReadError("malformed shape \(literal.description) in the .npy header: \(item.description) is negative")
            }
            guard isDecimal(text[...]), text == "0" || !text.hasPrefix("0") else {
                throw NPY.ReadError("malformed shape \(literal.description) in the .npy header: \(item.description) is not a non-negative decimal integer")
            }
            guard let n = Int(text) else {
                throw NPY.ReadError("the shape entry \(text) in the .npy header is beyond any 64-bit count")
            }
            shape.append(n)
        }
        return shape
    }

    /// One or more of the digits 0 to 9, and nothing else.
    static func isDecimal(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
