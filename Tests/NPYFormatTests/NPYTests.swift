import Foundation
import NPYFormat
import Testing

@Suite struct NPYTests {
    /// Files written by numpy.save (numpy 2.4, recorded as base64 when this test was written): an independent writer.
    static let float64 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADgPwAAAAAAAPS/AAAAAAAACED8qfHSTWJQPwAAAAAAAHA9AAAAAAAAHEA="
    static let int64 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr+////////////////////AAAAAAAAAAABAAAAAAAAAAIAAAAAAAAAAwAAAAAAAAA="
    static let fortran = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwPwAAAAAAAPA/AAAAAAAA8D8AAAAAAADwPw=="
    static let bigEndian = "k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/8AAAAAAAAD/wAAAAAAAAP/AAAAAAAAA/8AAAAAAAAA=="

    static func data(_ base64: String) -> Data { Data(base64Encoded: base64)! }

    @Test func readsNumpyFloat64() throws {
        let a = try NPY.parse(Self.data(Self.float64))
        #expect(a.shape == [2, 3])
        #expect(a.values == .float64([0.5, -1.25, 3.0, 1e-3, 0x1p-40, 7.0]))
        #expect(a.rows == [[0.5, -1.25, 3.0], [1e-3, 0x1p-40, 7.0]])
    }

    @Test func readsNumpyInt64() throws {
        let a = try NPY.parse(Self.data(Self.int64))
        #expect(a.shape == [2, 3] && a.values == .int64([-2, -1, 0, 1, 2, 3]))
    }

    /// Our writer produces the same bytes as numpy.save for the same array.
    @Test func writerMatchesNumpy() {
        let array = NPYArray(shape: [2, 3], values: .float64([0.5, -1.25, 3.0, 1e-3, 0x1p-40, 7.0]))
        #expect(NPY.encode(array) == Self.data(Self.float64))
        #expect(NPY.encode(NPYArray(shape: [2, 3], values: .int64([-2, -1, 0, 1, 2, 3]))) == Self.data(Self.int64))
    }

    @Test func roundTripFloat32AndVector() throws {
        let array = NPYArray(shape: [4], values: .float32([1.5, -0.25, .greatestFiniteMagnitude, 0]))
        #expect(try NPY.parse(NPY.encode(array)) == array)
    }

    @Test func refusesWithReasons() {
        func reason(_ data: Data) -> String {
            do { _ = try NPY.parse(data); return "accepted" } catch { return error.reason }
        }
        #expect(reason(Self.data(Self.fortran)).hasPrefix("Fortran order is not supported"))
        #expect(reason(Self.data(Self.bigEndian)).hasPrefix("big-endian data (>f8) is not supported"))
        #expect(reason(Data("hello, world".utf8)).hasPrefix("not an .npy file"))
        #expect(reason(Self.data(Self.float64).dropLast(8)).hasPrefix("truncated data: the header promises 6 values (48 bytes), the file holds 40 bytes"))
        var unsupported = [UInt8](Self.data(Self.float64))
        let position = unsupported.firstIndex(of: UInt8(ascii: "<"))!
        unsupported[position + 1] = UInt8(ascii: "c")   // '<c8': complex64
        #expect(reason(Data(unsupported)).hasPrefix("unsupported dtype <c8"))
        #expect(reason(Data(Self.data(Self.float64).prefix(20))).hasPrefix("truncated .npy header"))
    }
}
