// Eigenvalues and singular values in Double through LAPACK (LAPACKE, row-major), for the float path.
//
// `dsyevd` (divide and conquer, values only) for symmetric matrices, which Hessians are; `dgesdd` (values only) for
// singular values of any matrix. For a symmetric matrix the singular values are the absolute eigenvalues, which is
// what the numerical-rank rules use. Every LAPACK return code is checked at once. Measured on our build machine:
// row-major LAPACKE dgesdd with jobz = 'N' still wants ldu, ldvt >= n (it returns info = -11 otherwise).
internal import CLAPACK

public enum Spectrum {
    public struct LAPACKError: Error, Sendable, CustomStringConvertible {
        public let routine: String
        public let info: Int32
        public var description: String {
            info < 0 ? "\(routine): argument \(-info) was illegal (a bug)" : "\(routine): did not converge (info = \(info))"
        }
    }

    /// The eigenvalues of the symmetric n x n matrix `a` (row-major; only the upper triangle is read), ascending.
    public static func symmetricEigenvalues(_ a: [Double], n: Int) throws(LAPACKError) -> [Double] {
        precondition(a.count == n * n, "symmetricEigenvalues: expected \(n * n) entries, got \(a.count)")
        if n == 0 { return [] }
        var matrix = a
        var values = [Double](repeating: 0, count: n)
        let info = LAPACKE_dsyevd(CLAPACK_ROW_MAJOR(), Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "U")),
                                  Int32(n), &matrix, Int32(n), &values)
        guard info == 0 else { throw LAPACKError(routine: "dsyevd", info: info) }
        return values
    }

    /// The singular values of the m x n matrix `a` (row-major), descending.
    public static func singularValues(_ a: [Double], rows m: Int, columns n: Int) throws(LAPACKError) -> [Double] {
        precondition(a.count == m * n, "singularValues: expected \(m * n) entries, got \(a.count)")
        if m == 0 || n == 0 { return [] }
        var matrix = a
        var values = [Double](repeating: 0, count: min(m, n))
        var u = [Double](repeating: 0, count: 1), vt = [Double](repeating: 0, count: 1)
        let info = LAPACKE_dgesdd(CLAPACK_ROW_MAJOR(), Int8(UInt8(ascii: "N")), Int32(m), Int32(n), &matrix, Int32(n),
                                  &values, &u, Int32(max(m, n)), &vt, Int32(max(m, n)))
        guard info == 0 else { throw LAPACKError(routine: "dgesdd", info: info) }
        return values
    }
}
