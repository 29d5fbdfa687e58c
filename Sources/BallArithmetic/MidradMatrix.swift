// A real matrix in midpoint-radius form over doubles: entry (i, j) is the interval [m - r, m + r] of a double
// midpoint m and a double radius r >= 0, and stands for every real number in it ("contains the true value"). Products
// go through BLAS (`cblas_dgemm`) with an a priori rounding-error bound, so a product of order n costs three double
// matrix products instead of Arb's ball arithmetic; this is what makes minors of order ~1,500 verifiable
// (`MidradRank`). Everything here is an enclosure: an operation's result contains the exact result of the operation
// applied to any matrices inside the operands.
//
// Floating-point model. IEEE 754 binary64, round to nearest (ties to even), gradual underflow: the platform default,
// which neither Swift nor OpenBLAS changes. u = 2^-53 (unit roundoff), eta = 2^-1074 (the least subnormal). Every
// addition, multiplication or fused multiply-add, absent overflow, returns fl(z) = z (1 + d) + e with |d| <= u,
// |e| <= eta / 2 and d e = 0 (e is the absolute error of a result in the subnormal range; additions there are exact).
//
// (1) Rounding up. For every real z without overflow, nextUp(fl(z)) >= z: fl(z) is one of the two doubles around z,
//     so either fl(z) >= z already, or z lies between fl(z) and its successor. This holds in the subnormal range too,
//     and when fl(z) = +infinity (nextUp(+inf) = +inf). So chaining `up(x + y)` and `up(x * y)` (up = nextUp after
//     the rounded operation) over nonnegative operands, each operation monotone, bounds the exact expression from
//     above. `sumUpperBound` and `productUpperBound` are these steps.
//
// (2) Dot products. ŝ = fl(sum_{i<=k} x_i y_i) computed in any order (any summation tree, products formed alone or
//     inside FMAs, as a BLAS kernel does) uses at most 2k - 1 operations, and each term x_i y_i passes through at most
//     k of them on its way to the root. Expanding every operation by the model:
//         ŝ = sum_i x_i y_i prod_{<=k} (1 + d) + sum_{<=2k-1 operations} e_o prod_{<=k-1} (1 + d).
//     With |prod_{<=k} (1 + d) - 1| <= gamma_k = k u / (1 - k u) (Higham, Accuracy and Stability, Lemma 3.1) and
//     (1 + u)^(k-1) <= 1 + gamma_k <= 2 for k u <= 1/2:
//         (a) |ŝ - s| <= gamma_k sum_i |x_i y_i| + 2 k eta                                      (any signs);
//         (b) ŝ >= (1 - k u) s - 2 k eta, so s <= (ŝ + 2 k eta) f with f >= 1 / (1 - k u)   (x, y >= 0),
//     using prod (1 + d) >= (1 - u)^k >= 1 - k u. Finite results imply no overflow happened on the way: an infinite
//     partial sum never comes back to a finite value (inf + x = inf, inf - inf = NaN). The factors used are
//     f = up(1 + 2 k u) >= 1 / (1 - k u) (since (1 + 2x)(1 - x) = 1 + x - 2x^2 >= 1 for x <= 1/2) and
//     g = up(k u * f) >= gamma_k. k u = k 2^-53 is exact for k < 2^53.
//
// (3) Products. For A = [Am +- Ar] (m x k), B = [Bm +- Br] (k x n) and any A~ in A, B~ in B:
//         A~ B~ - Am Bm = (A~ - Am) B~ + Am (B~ - Bm), so |A~ B~ - Am Bm| <= Ar (|Bm| + Br) + |Am| Br.
//     The midpoint is Cm = fl(Am Bm) (one dgemm), so by (2a) entrywise
//         |A~ B~ - Cm| <= |Am| Br + Ar (|Bm| + Br) + gamma_k |Am| |Bm| + 2 k eta
//                      <= |Am| W + Ar V + 2 k eta,   W = up(Br + up(g |Bm|)) >= Br + gamma_k |Bm|,
//                                                    V = up(|Bm| + Br) >= |Bm| + Br     (entrywise, by (1)).
//     S1 = |Am| W and S2 = Ar V are nonnegative products of inner dimension k, computed by two more dgemms as Ŝ1, Ŝ2;
//     by (2b) S1 + S2 <= (Ŝ1 + Ŝ2 + 4 k eta) f, so the error is at most (Ŝ1 + Ŝ2 + 6 k eta) f, and the radius
//         Cr = up(up(up(Ŝ1 + Ŝ2) + E) * f),   E = k 2^-1000 >= 6 k eta (exact),
//     bounds it by (1). The term E is an absolute allowance for underflow, far above what subnormal rounding can
//     accumulate and far below anything a rank proof looks at. When Ar = 0 (an exact left factor, as the
//     approximate inverse in `MidradRank`) S2 = 0 and its dgemm is skipped.
//
// (4) Sums and scalings. For a + b: c = fl(a + b), |a + b - c| <= u (|a| + |b|), and the radii add:
//     r = up(up(ra + rb) + up(u * up(|a| + |b|))). For a scalar ball [s +- t] times [a +- ra]: c = fl(s a),
//     |s~ a~ - s a| <= |a| t + ra (|s| + t) and |s a - c| <= u |s a| + eta, so
//     r = up(up(up(|a| * up(t + up(u |s|))) + up(ra * up(|s| + t))) + eta).
//
// Unknown entries. Midpoints are always finite; a radius may be +infinity, meaning "any real number" (nothing with an
// infinite radius is ever proven: every bound computed from it is infinite or NaN, and the tests `< 1` in
// `MidradRank` fail on both). An operation whose midpoint overflows, or whose radius is infinite or NaN (0 * inf in
// a BLAS kernel, or an overflowing radius), stores midpoint 0 and radius +infinity in that entry. Other entries are
// unaffected: an entry of a product depends only on one row and one column of the operands.
//
// A value type (copy-on-write arrays), Sendable.
internal import CArb
internal import CBLAS

public struct MidradMatrix: Sendable, Equatable {
    public let rowCount: Int
    public let columnCount: Int
    /// Row-major midpoints, all finite.
    public private(set) var midpoints: [Double]
    /// Row-major radii, each >= 0 (+infinity means the entry is unknown).
    public private(set) var radii: [Double]

    /// The matrix of the given midpoints and radii, row-major: every midpoint and radius finite, every radius >= 0.
    public init(rows: Int, columns: Int, midpoints: [Double], radii: [Double]) {
        precondition(rows >= 0 && columns >= 0, "MidradMatrix: negative shape")
        precondition(midpoints.count == rows * columns && radii.count == rows * columns,
                     "MidradMatrix: expected \(rows * columns) midpoints and radii")
        precondition(midpoints.allSatisfy(\.isFinite), "MidradMatrix: a midpoint is not finite")
        precondition(radii.allSatisfy { $0 >= 0 && $0.isFinite }, "MidradMatrix: a radius is negative or not finite")
        self.init(unchecked: rows, columns, midpoints, radii)
    }

    /// The invariant (finite midpoints, radii in [0, +infinity]) is the caller's.
    init(unchecked rows: Int, _ columns: Int, _ midpoints: [Double], _ radii: [Double]) {
        rowCount = rows
        columnCount = columns
        self.midpoints = midpoints
        self.radii = radii
    }

    /// The zero matrix (radius 0).
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "MidradMatrix: negative shape")
        self.init(unchecked: rows, columns, Array(repeating: 0, count: rows * columns),
                  Array(repeating: 0, count: rows * columns))
    }

    /// Exactly the given doubles (radius 0), given as rows.
    public init(exactly rows: [[Double]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "MidradMatrix: rows of unequal length")
        self.init(rows: rows.count, columns: columns, midpoints: rows.flatMap { $0 },
                  radii: Array(repeating: 0, count: rows.count * columns))
    }

    /// The matrix of the given double balls, row-major; a ball whose midpoint or radius is not finite (an unknown
    /// value) becomes an unknown entry (midpoint 0, radius +infinity).
    public init(rows: Int, columns: Int, balls: [Midrad]) {
        precondition(rows >= 0 && columns >= 0 && balls.count == rows * columns, "MidradMatrix: expected \(rows * columns) balls")
        var mids = [Double](repeating: 0, count: balls.count), rads = mids
        for (index, ball) in balls.enumerated() { (mids[index], rads[index]) = Self.settled(ball.midpoint, ball.radius) }
        self.init(unchecked: rows, columns, mids, rads)
    }

    /// Entry (i, j) as a double ball.
    public func ball(_ i: Int, _ j: Int) -> Midrad {
        let (mid, rad) = self[i, j]
        return Midrad(midpoint: mid, radius: rad)
    }

    /// An enclosure of a ball matrix: each midpoint rounded to the nearest double m (Arb's `arf_get_d`, correctly
    /// rounded through MPFR, subnormals included, so |m - mid| <= ulp(m) / 2, with ulp(0) = 2^-1074), and the radius
    /// up(rad + ulp(m)), where rad is `mag_get_d` of Arb's radius (exact for the 30-bit magnitude, or 2^-1000 above a
    /// tiny one, always >= it). The ulp term is dropped when the midpoint is exactly m. A midpoint beyond double range
    /// or an infinite radius gives an unknown entry (midpoint 0, radius +infinity).
    public init(_ balls: BallMatrix) {
        let m = balls.rowCount, n = balls.columnCount
        var mids = [Double](repeating: 0, count: m * n), rads = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                let entry = arb_mat_entry_ptr(balls.pointer, i, j)
                let mid = CArb_midpoint(entry), rad = CArb_radius(entry)
                let radius = CArb_mid_equals(entry, mid) != 0 ? rad : Self.sumUpperBound(rad, mid.ulp)
                (mids[i * n + j], rads[i * n + j]) = Self.settled(mid, radius)
            }
        }
        self.init(unchecked: m, n, mids, rads)
    }

    /// Entry (i, j) as (midpoint, radius).
    public subscript(i: Int, j: Int) -> (midpoint: Double, radius: Double) {
        precondition(i >= 0 && i < rowCount && j >= 0 && j < columnCount, "MidradMatrix: index outside the matrix")
        return (midpoints[i * columnCount + j], radii[i * columnCount + j])
    }

    /// Whether every radius is finite (no entry is unknown).
    public var isFinite: Bool { radii.allSatisfy(\.isFinite) }

    /// Whether the real number x lies in entry (i, j).
    public func contains(_ x: Double, at i: Int, _ j: Int) -> Bool {
        let (mid, rad) = self[i, j]
        return abs(x - mid) <= rad || rad == .infinity
    }

    // MARK: Rounding up (error analysis (1))

    /// An upper bound on x + y for nonnegative doubles (the next double above the rounded sum).
    @inline(__always)
    public static func sumUpperBound(_ x: Double, _ y: Double) -> Double { (x + y).nextUp }

    /// An upper bound on x * y for nonnegative doubles (the next double above the rounded product).
    @inline(__always)
    public static func productUpperBound(_ x: Double, _ y: Double) -> Double { (x * y).nextUp }

    /// (midpoint, radius), or (0, +infinity) when the midpoint is not finite or the radius is infinite or NaN.
    @inline(__always)
    static func settled(_ mid: Double, _ rad: Double) -> (Double, Double) {
        mid.isFinite && rad < .infinity ? (mid, rad) : (0, .infinity)
    }

    /// f >= 1 / (1 - k u) and g >= gamma_k = k u / (1 - k u), for dot products of length k (error analysis (2)).
    static func dotProductFactors(_ k: Int) -> (f: Double, g: Double) {
        precondition(k < 1 << 51, "MidradMatrix: inner dimension too large for the error bound")
        let ku = Double(k) * 0x1p-53
        let f = sumUpperBound(1, 2 * ku)
        return (f, productUpperBound(ku, f))
    }

    // MARK: Operations

    /// A rigorous enclosure of X Y for every X inside self and Y inside `other`: the midpoint by one `cblas_dgemm`,
    /// the radius by two more on nonnegative matrices (one when self is exact), inflated as in the error analysis (3).
    public func multiplied(by other: MidradMatrix) -> MidradMatrix {
        precondition(columnCount == other.rowCount, "MidradMatrix: shapes do not chain")
        let m = rowCount, k = columnCount, n = other.columnCount
        if m == 0 || n == 0 || k == 0 { return MidradMatrix(rows: m, columns: n) }
        let (f, g) = Self.dotProductFactors(k)
        let mid = Self.gemm(midpoints, other.midpoints, m, k, n)
        let absolute = midpoints.map(abs)
        var w = [Double](repeating: 0, count: k * n)
        for t in 0..<(k * n) {
            w[t] = Self.sumUpperBound(other.radii[t], Self.productUpperBound(g, abs(other.midpoints[t])))
        }
        var s = Self.gemm(absolute, w, m, k, n)
        if radii.contains(where: { $0 != 0 }) {
            var v = [Double](repeating: 0, count: k * n)
            for t in 0..<(k * n) { v[t] = Self.sumUpperBound(abs(other.midpoints[t]), other.radii[t]) }
            let s2 = Self.gemm(radii, v, m, k, n)
            for t in 0..<(m * n) { s[t] = Self.sumUpperBound(s[t], s2[t]) }
        } else {
            for t in 0..<(m * n) { s[t] = s[t].nextUp }  // up(Ŝ1 + 0), as in the analysis (keeps one formula).
        }
        let allowance = Double(k) * 0x1p-1000
        var resultMid = mid
        for t in 0..<(m * n) {
            let radius = Self.productUpperBound(Self.sumUpperBound(s[t], allowance), f)
            (resultMid[t], s[t]) = Self.settled(mid[t], radius)
        }
        return MidradMatrix(unchecked: m, n, resultMid, s)
    }

    /// C = A B for row-major doubles (A m x k, B k x n), by `cblas_dgemm` with alpha 1 and beta 0.
    static func gemm(_ a: [Double], _ b: [Double], _ m: Int, _ k: Int, _ n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                                pa.baseAddress, Int32(k), pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
                }
            }
        }
        return c
    }

    /// A rigorous enclosure of X + Y for every X inside self and Y inside `other` (error analysis (4)).
    public func adding(_ other: MidradMatrix) -> MidradMatrix {
        precondition(rowCount == other.rowCount && columnCount == other.columnCount, "MidradMatrix: shapes differ")
        var mids = midpoints, rads = radii
        for t in 0..<mids.count {
            let (a, b) = (midpoints[t], other.midpoints[t])
            let rounding = Self.productUpperBound(0x1p-53, Self.sumUpperBound(abs(a), abs(b)))
            (mids[t], rads[t]) = Self.settled(a + b, Self.sumUpperBound(Self.sumUpperBound(radii[t], other.radii[t]), rounding))
        }
        return MidradMatrix(unchecked: rowCount, columnCount, mids, rads)
    }

    /// A rigorous enclosure of s X for every real s in [midpoint +- radius] and X inside self (error analysis (4)).
    public func scaled(by midpoint: Double, radius: Double = 0) -> MidradMatrix {
        precondition(midpoint.isFinite && radius >= 0 && radius.isFinite, "MidradMatrix: scale not a finite ball")
        let s = abs(midpoint)
        let relative = Self.sumUpperBound(radius, Self.productUpperBound(0x1p-53, s))
        let spread = Self.sumUpperBound(s, radius)
        var mids = midpoints, rads = radii
        for t in 0..<mids.count {
            let a = midpoints[t]
            let r = Self.sumUpperBound(Self.productUpperBound(abs(a), relative), Self.productUpperBound(radii[t], spread))
            (mids[t], rads[t]) = Self.settled(midpoint * a, Self.sumUpperBound(r, .leastNonzeroMagnitude))
        }
        return MidradMatrix(unchecked: rowCount, columnCount, mids, rads)
    }

    /// The transpose (exact).
    public var transposed: MidradMatrix {
        let m = rowCount, n = columnCount
        var mids = [Double](repeating: 0, count: m * n), rads = mids
        for i in 0..<m {
            for j in 0..<n {
                mids[j * m + i] = midpoints[i * n + j]
                rads[j * m + i] = radii[i * n + j]
            }
        }
        return MidradMatrix(unchecked: n, m, mids, rads)
    }

    /// The submatrix on `rows` and `columns` (indices in range, in the order given), entries copied exactly.
    public func submatrix(rows: [Int], columns: [Int]) -> MidradMatrix {
        precondition(rows.allSatisfy { $0 >= 0 && $0 < rowCount } && columns.allSatisfy { $0 >= 0 && $0 < columnCount },
                     "MidradMatrix: submatrix index outside the matrix")
        var mids = [Double](), rads = [Double]()
        mids.reserveCapacity(rows.count * columns.count)
        rads.reserveCapacity(rows.count * columns.count)
        for i in rows {
            let base = i * columnCount
            for j in columns {
                mids.append(midpoints[base + j])
                rads.append(radii[base + j])
            }
        }
        return MidradMatrix(unchecked: rows.count, columns.count, mids, rads)
    }
}
