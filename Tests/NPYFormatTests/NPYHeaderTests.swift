import Foundation
import NPYFormat
import Testing

@Suite struct NPYHeaderTests {
    /// Files written by numpy.lib.format.write_array (numpy 2.4, recorded as base64 when this test was written), for
    /// the arrays named beside them: the other versions and dtypes, a 0-d array and an empty one.
    static let version2Float32 = "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AACAvgAAQEBvEoM6"
    static let version3Int64 = "k05VTVBZAwB0AAAAeydkZXNjcic6ICc8aTgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr5/////////wAAAAAAAAAAAAAAAAAAIAA="
    static let scalar = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAEQA=="
    static let empty = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo="

    static func data(_ base64: String) -> Data { Data(base64Encoded: base64)! }

    static func reason(_ bytes: [UInt8]) -> String {
        do { _ = try NPY.parse(Data(bytes)); return "accepted" } catch { return error.reason }
    }

    @Test func readsNumpysOtherVersionsAndShapes() throws {
        // np.array([[1.5, -0.25], [3.0, 1e-3]], dtype='<f4'), version (2, 0)
        #expect(try NPY.parse(Self.data(Self.version2Float32)) == NPYArray(shape: [2, 2], values: .float32([1.5, -0.25, 3, 1e-3])))
        // np.array([-7, 0, 2**53], dtype='<i8'), version (3, 0)
        #expect(try NPY.parse(Self.data(Self.version3Int64)) == NPYArray(shape: [3], values: .int64([-7, 0, 1 << 53])))
        // np.array(2.5) and np.zeros((0, 3))
        let scalar = try NPY.parse(Self.data(Self.scalar)), empty = try NPY.parse(Self.data(Self.empty))
        #expect(scalar == NPYArray(shape: [], values: .float64([2.5])) && scalar.rows == nil)
        #expect(empty == NPYArray(shape: [0, 3], values: .float64([])) && empty.rows == [])
    }

    /// The header alone: the fields, the counts and where the data start (10 + 118 bytes of header in version 1,
    /// 12 + 116 in version 2: numpy pads both to 128).
    @Test func headerFields() throws {
        let header = try NPYHeader(parsing: Self.data(Self.version2Float32), fileSize: 144)
        #expect(header.majorVersion == 2 && header.minorVersion == 0 && header.dtype == .float32)
        #expect(header.shape == [2, 2] && header.elementCount == 4 && header.byteCount == 16 && header.dataOffset == 128)
        let scalar = try NPYHeader(parsing: Self.data(Self.scalar), fileSize: 136)
        #expect(scalar.shape == [] && scalar.elementCount == 1 && scalar.byteCount == 8)
    }

    /// The header entry point reads the first bytes only: a file of 64 MiB of (unwritten) data gives its header, and
    /// the header parsed from the first 128 bytes and the file's size is the same.
    @Test func headerOfALargeFileFromItsFirstBytes() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("npy-large-\(UUID().uuidString).npy").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let prefix = TestWriter.file(dict: TestWriter.dict(descr: "<f8", shape: [4_096, 2_048]), data: [])
        #expect(FileManager.default.createFile(atPath: path, contents: Data(prefix)))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(prefix.count + 8 * 4_096 * 2_048))
        try handle.close()
        let header = try NPY.header(contentsOf: path)
        #expect(header.shape == [4_096, 2_048] && header.elementCount == 1 << 23 && header.byteCount == 1 << 26 && header.dataOffset == 128)
        #expect(try NPYHeader(parsing: prefix, fileSize: 128 + 1 << 26) == header)
    }

    /// The adversarial review's file: shape (2^30, 2^30) of float64, 2^63 bytes, and kin; refused before any array
    /// exists (an allocation of that size would end the process).
    @Test func hugeShapesAreRefused() {
        func file(_ shape: [Int], _ descr: String = "<f8", data: [UInt8] = []) -> [UInt8] {
            TestWriter.file(dict: TestWriter.dict(descr: descr, shape: shape), data: data)
        }
        #expect(Self.reason(file([1 << 30, 1 << 30])) == "the shape [1073741824, 1073741824] with 8-byte elements needs 2^63 bytes or more")
        #expect(Self.reason(file([1 << 32, 1 << 32], "<f4")) == "the shape [4294967296, 4294967296] with 4-byte elements needs 2^63 bytes or more")
        #expect(Self.reason(file([1 << 20, 1 << 20])) == "truncated data: the header promises 1099511627776 values (8796093022208 bytes), the file holds 0 bytes")
        #expect(Self.reason(file([Int.max])) == "the shape [9223372036854775807] with 8-byte elements needs 2^63 bytes or more")
        // Zero elements: numpy still bounds the other dimensions (it refuses (2^62, 0) of float64, takes (2^40, 0)).
        #expect(Self.reason(file([1 << 62, 0])) == "the shape [4611686018427387904, 0] with 8-byte elements needs 2^63 bytes or more")
        #expect(Self.reason(file([1 << 40, 0])) == "accepted")
    }

    /// A 2-d array of rows without columns has no rows to list: listing 2^40 of them would exhaust memory.
    @Test func rowsOfNoColumns() throws {
        let array = try NPY.parse(Data(TestWriter.file(dict: TestWriter.dict(descr: "<f8", shape: [1 << 40, 0]), data: [])))
        #expect(array.shape == [1 << 40, 0] && array.doubles.isEmpty && array.rows == nil)
        #expect(NPYArray(shape: [2, 2], values: .float64([1, 2, 3])).rows == nil)   // values that do not fill the shape
    }

    @Test func headerDefectsAreNamed() {
        func file(_ dict: String, version: UInt8 = 1, alignment: Int = 64, data: [UInt8] = []) -> [UInt8] {
            TestWriter.file(dict: dict, version: version, alignment: alignment, data: data)
        }
        let eight = [UInt8](repeating: 0, count: 8)
        // Python 2's long suffix in a file aligned to 16 (older numpy): numpy reads it, and so do we.
        #expect(Self.reason(file("{'descr': '<f8', 'fortran_order': False, 'shape': (1L,), }", alignment: 16, data: eight)) == "accepted")
        #expect(Self.reason(file("{'descr': '<f8', 'fortran_order': False, 'shape': (1L,), }", version: 3, data: eight))
                == "malformed shape (1L,) in the .npy header: 1L is not a non-negative decimal integer")
        #expect(Self.reason(file("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'shape': (1,)}", data: eight))
                == "the .npy header repeats the key 'shape'")
        #expect(Self.reason(file("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }")) == "malformed shape (-1,) in the .npy header: -1 is negative")
        #expect(Self.reason(file("{'descr': '<f8', 'fortran_order': False, 'shape': (1,) x}", data: eight))
                == "malformed .npy header: expected ',' or '}' after the value of 'shape' at character 56, found 'x'")
        #expect(Self.reason(file("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}" + String(repeating: " ", count: 10_000), version: 2, data: eight))
                == "the .npy header is 10100 bytes long, above numpy's limit of 10000")
        #expect(Self.reason(file("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", alignment: 8, data: eight))
                == "misaligned .npy header: the data would start at byte 72, not a multiple of 16 (numpy pads the header to a multiple of 64)")
        var version = file("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", data: eight)
        version[7] = 1
        #expect(Self.reason(version) == "unsupported .npy version 1.1 (numpy writes 1.0, 2.0 and 3.0)")
    }

    @Test func onlyRegularFilesAreRead() {
        func reason(_ path: String) -> String {
            do { _ = try NPY.header(contentsOf: path); return "accepted" } catch { return error.reason }
        }
        #expect(reason(FileManager.default.temporaryDirectory.path) == "is a directory, not an .npy file")
        #expect(reason("/dev/null") == "not a regular file (a pipe or a device): save the array to a file")
        #expect(reason("/nonexistent/x.npy") == "cannot read the file: No such file or directory")
    }
}
