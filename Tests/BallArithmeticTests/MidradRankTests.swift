import BallArithmetic
import ExactAlgebra
import Testing

/// Midpoint-radius matrices and Rump's verification, on matrices whose answers are known by construction: exact
/// products of dyadic points in integers, ranks of U V built with inner size r (checked by FLINT), the Hilbert matrix.
@Suite struct MidradRankTests {
    // MARK: Enclosures

    /// A random m x n matrix of dyadic midpoints a / 8 (|a| <= 40) and radii b / 16 (0 <= b <= 4, some 0).
    static func dyadicMatrix(_ m: Int, _ n: Int, _ g: inout SplitMix64) -> MidradMatrix {
        MidradMatrix(rows: m, columns: n, midpoints: (0..<(m * n)).map { _ in Double(g.uniform(in: -40...40)) / 8 },
                     radii: (0..<(m * n)).map { _ in Double(max(0, g.uniform(in: -2...4))) / 16 })
    }

    /// A point inside the matrix, times 64 as integers: each entry mid + (j / 4) rad with j in -4 ... 4 (j = +-4 are
    /// the corners), a multiple of 1/64.
    static func integerPoint(_ a: MidradMatrix, _ g: inout SplitMix64, corners: Bool) -> [Int] {
        zip(a.midpoints, a.radii).map { mid, rad in
            let j = corners ? (g.uniform(in: 0...1) == 0 ? -4 : 4) : g.uniform(in: -4...4)
            return Int(mid * 64) + j * Int(rad * 16)
        }
    }

    /// Whether the exact rational numerator / 2^scale lies in [mid - rad, mid + rad], decided in integers: mid is
    /// required to be a multiple of 2^-scale (it is, for the small dyadic products here), and the comparison with
    /// rad 2^scale is exact (a small integer against an exactly scaled double).
    static func encloses(_ numerator: Int, scale: Int, _ mid: Double, _ rad: Double) -> Bool {
        let scaledMid = mid * Double(1 << scale)
        guard scaledMid.rounded() == scaledMid, abs(scaledMid) < 0x1p52 else { return false }
        return Double(abs(numerator - Int(scaledMid))) <= rad * Double(1 << scale)
    }

    /// X Y for points X, Y inside random dyadic A (m x k), B (k x n), corners and random points, computed exactly in
    /// integers (scaled by 64 each), lies in A B entry by entry.
    @Test func productEnclosesEveryProductOfPointsInside() {
        var g = SplitMix64(seed: 7)
        for (m, k, n) in [(1, 1, 1), (3, 5, 4), (6, 9, 2), (7, 7, 7)] {
            let a = Self.dyadicMatrix(m, k, &g), b = Self.dyadicMatrix(k, n, &g)
            let product = a.multiplied(by: b)
            #expect(product.rowCount == m && product.columnCount == n && product.isFinite)
            for trial in 0..<20 {
                let x = Self.integerPoint(a, &g, corners: trial < 10), y = Self.integerPoint(b, &g, corners: trial < 10)
                for i in 0..<m {
                    for j in 0..<n {
                        let exact = (0..<k).reduce(0) { $0 + x[i * k + $1] * y[$1 * n + j] }
                        let (mid, rad) = product[i, j]
                        #expect(Self.encloses(exact, scale: 12, mid, rad), "(\(m), \(k), \(n)) entry (\(i), \(j))")
                    }
                }
            }
        }
    }

    /// Exact midpoints with 30-bit significands (A 2^-30, |A| < 2^30) and radius 0, so the only error is the
    /// dgemm's rounding (products of 60 bits): the exact entries (sum A B) 2^-60, in Int128, lie in the result. With
    /// the gamma_k term removed from the radius this fails (the radius would be 0).
    @Test func productEnclosesRoundedProducts() {
        var g = SplitMix64(seed: 31)
        for (m, k, n) in [(4, 30, 5), (3, 200, 2)] {
            let x = (0..<(m * k)).map { _ in g.uniform(in: -(1 << 30 - 1)...(1 << 30 - 1)) }
            let y = (0..<(k * n)).map { _ in g.uniform(in: -(1 << 30 - 1)...(1 << 30 - 1)) }
            func midrad(_ v: [Int], _ rows: Int, _ columns: Int) -> MidradMatrix {
                MidradMatrix(rows: rows, columns: columns, midpoints: v.map { Double($0) * 0x1p-30 },
                             radii: Array(repeating: 0, count: v.count))
            }
            let product = midrad(x, m, k).multiplied(by: midrad(y, k, n))
            var rounded = 0
            for i in 0..<m {
                for j in 0..<n {
                    let exact = (0..<k).reduce(Int128(0)) { $0 + Int128(x[i * k + $1]) * Int128(y[$1 * n + j]) }
                    let (mid, rad) = product[i, j]
                    // |mid| is about 2^0 ... 2^8, so its ulp is >= 2^-60: mid 2^60 is an integer.
                    let scaledMid = mid * 0x1p60
                    #expect(scaledMid.rounded() == scaledMid)
                    let distance = exact - Int128(scaledMid)
                    if distance != 0 { rounded += 1 }
                    #expect(distance.magnitude <= UInt128((rad * 0x1p60).rounded(.down)), "entry (\(i), \(j))")
                }
            }
            #expect(rounded > 0)  // the test exercises rounding.
        }
    }

    /// The corner X = Am + Ar, Y = Bm + Br of nonnegative matrices attains |Am| Br + Ar (|Bm| + Br) exactly: the
    /// radius is at least that (and not absurdly more, here where every product is exact).
    @Test func productRadiusIsTightAtTheCorner() {
        let a = MidradMatrix(rows: 1, columns: 2, midpoints: [1, 2], radii: [0.5, 0.25])
        let b = MidradMatrix(rows: 2, columns: 1, midpoints: [3, 4], radii: [0.125, 1])
        let (mid, rad) = a.multiplied(by: b)[0, 0]
        // (1.5 * 3.125 + 2.25 * 5) - 11 = 15.9375 - 11.
        #expect(mid == 11 && rad >= 4.9375 && rad < 4.9375 * (1 + 1e-14))
    }

    /// Sums and scalings by a ball enclose every sum and scaled point (exact in integers, as above).
    @Test func sumAndScalingEncloseTheirPoints() {
        var g = SplitMix64(seed: 11)
        let a = Self.dyadicMatrix(4, 5, &g), b = Self.dyadicMatrix(4, 5, &g)
        let sum = a.adding(b)
        // The scalar [3/8 +- 1/16]: points (6 + j) / 16, j in -1 ... 1.
        let scaled = a.scaled(by: 0.375, radius: 0.0625)
        for trial in 0..<20 {
            let x = Self.integerPoint(a, &g, corners: trial < 10), y = Self.integerPoint(b, &g, corners: trial < 10)
            let s = 6 + g.uniform(in: -1...1)
            for t in 0..<20 {
                #expect(Self.encloses(x[t] + y[t], scale: 6, sum.midpoints[t], sum.radii[t]))
                #expect(Self.encloses(x[t] * s, scale: 10, scaled.midpoints[t], scaled.radii[t]))
            }
        }
        #expect(a.transposed.transposed == a)
        #expect(a.submatrix(rows: [2, 0], columns: [4]).midpoints == [a[2, 4].midpoint, a[0, 4].midpoint])
    }

    /// Products that underflow: entries a 2^-560 and b 2^-560 with odd |a|, |b| < 2^29, so every product a b 2^-1120
    /// (below 2^-1062) lies in the subnormal range, multiples of 2^-1074, and loses its low bits; every exact entry
    /// is below 2^-1050 in magnitude. The result must contain [-2^-1050, 2^-1050], which only the underflow allowance
    /// provides (the relative terms underflow too).
    @Test func underflowIsCoveredByTheAllowance() {
        var g = SplitMix64(seed: 13)
        func tiny(_ count: Int) -> [Double] { (0..<count).map { _ in Double(2 * g.uniform(in: -1 << 28...1 << 28) + 1) * 0x1p-560 } }
        let a = MidradMatrix(rows: 3, columns: 4, midpoints: tiny(12), radii: Array(repeating: 0, count: 12))
        let b = MidradMatrix(rows: 4, columns: 2, midpoints: tiny(8), radii: Array(repeating: 0, count: 8))
        let product = a.multiplied(by: b)
        for t in 0..<6 {
            #expect((abs(product.midpoints[t]) + 0x1p-1050).nextUp <= product.radii[t])
        }
        // 1e-160 squared is subnormal (about 1e-320): a partial underflow with a large relative error, still enclosed.
        let partial = MidradMatrix(exactly: [[1e-160, 3e-160]]).multiplied(by: MidradMatrix(exactly: [[1e-160], [-1e-160]]))
        #expect(partial[0, 0].radius >= 1e-320)
    }

    /// Products that overflow give unknown entries (radius +infinity), which are never proven nonsingular, and which
    /// stay unknown through later products.
    @Test func overflowMakesEntriesUnknownAndNeverProven() {
        let big = MidradMatrix(exactly: [[1e200, 0], [0, 1e200]])
        let square = big.multiplied(by: big)
        #expect(square[0, 0].radius == .infinity && square[0, 0].midpoint == 0 && !square.isFinite)
        // Off the diagonal every product is 1e200 * 0: exactly 0, and the radius stays finite and tiny (1e200 times
        // the rounded-up g * 0, the least subnormal).
        #expect(square[0, 1].midpoint == 0 && square[0, 1].radius < 1e-100)
        #expect(!MidradRank.isProvenNonsingular(square))
        #expect(MidradRank.lowerBound(square).rank == 0)
        let again = square.multiplied(by: MidradMatrix(exactly: [[1, 0], [0, 1]]))
        #expect(again[0, 0].radius == .infinity)
        #expect(big.scaled(by: 1e300)[1, 1].radius == .infinity)
        #expect(big.adding(MidradMatrix(exactly: [[1.7e308, 0], [0, 0]])).radii[0] < .infinity)
        #expect(MidradMatrix(exactly: [[1.7e308]]).adding(MidradMatrix(exactly: [[1.7e308]])).radii[0] == .infinity)
    }

    /// Arb balls to midrad: exact integers stay exact; 1/3 at 64 bits (midpoint not a double) is still enclosed.
    @Test func ballMatrixConversionEnclosesTheBalls() {
        let exact = MidradMatrix(BallMatrix(integers: [[1, -2], [3, 1 << 40]]))
        #expect(exact == MidradMatrix(exactly: [[1, -2], [3, 0x1p40]]))
        let third = MidradMatrix(BallMatrix(rows: 1, columns: 1, precision: 64) { _, _, e in e.set(numerator: 1, denominator: 3) })
        let (mid, rad) = third[0, 0]
        // mid = M 2^-54 (1/3 lies in [1/4, 1/2)); |M 2^-54 - 1/3| <= rad iff |3 M - 2^54| <= 3 rad 2^54.
        let M = Int(mid * 0x1p54)
        #expect(Double(M) == mid * 0x1p54 && rad > 0 && rad < 1e-15)
        #expect(Double(abs(3 * M - (1 << 54))) <= 3 * (rad * 0x1p54))
    }

    // MARK: Nonsingularity

    /// A diagonally dominant integer matrix with radii 1e-10 is proven nonsingular; so is the empty matrix.
    @Test func wellConditionedMatrixIsProvenNonsingular() {
        var g = SplitMix64(seed: 17)
        let n = 30
        let mids = (0..<(n * n)).map { t in Double(t / n == t % n ? 100 : g.uniform(in: -3...3)) }
        let a = MidradMatrix(rows: n, columns: n, midpoints: mids, radii: Array(repeating: 1e-10, count: n * n))
        #expect(MidradRank.isProvenNonsingular(a))
        #expect(MidradRank.isProvenNonsingular(MidradMatrix(rows: 0, columns: 0)))
    }

    /// Never proven: an exactly singular integer matrix (radius 0; third row the sum of the others), and a nonsingular
    /// midpoint [[2, 1], [1, 1]] whose radius 1/2 on entry (1, 1) reaches the singular [[2, 1], [1, 1/2]].
    @Test func singularMatricesAreNeverProven() {
        let singular = MidradMatrix(exactly: [[1, 2, 3], [4, 5, 6], [5, 7, 9]])
        #expect(!MidradRank.isProvenNonsingular(singular))
        let reaching = MidradMatrix(rows: 2, columns: 2, midpoints: [2, 1, 1, 1], radii: [0, 0, 0, 0.5])
        #expect(!MidradRank.isProvenNonsingular(reaching))
        let notReaching = MidradMatrix(rows: 2, columns: 2, midpoints: [2, 1, 1, 1], radii: [0, 0, 0, 0.01])
        #expect(MidradRank.isProvenNonsingular(notReaching))
        #expect(!MidradRank.isProvenNonsingular(MidradMatrix(rows: 3, columns: 3)))
    }

    /// The Hilbert matrix 1 / (i + j + 1), each entry enclosed as fl(1 / (i + j + 1)) +- ulp: order 6 (condition
    /// about 1.5e7) is proven nonsingular; order 12 (about 1.7e16) is not at double precision, although it is
    /// nonsingular: an honest failure, not a proof of anything.
    @Test func hilbertTwelveIsNotProvenButSixIs() {
        func hilbert(_ n: Int) -> MidradMatrix {
            let mids = (0..<(n * n)).map { 1 / Double($0 / n + $0 % n + 1) }
            return MidradMatrix(rows: n, columns: n, midpoints: mids, radii: mids.map(\.ulp))
        }
        #expect(MidradRank.isProvenNonsingular(hilbert(6)))
        #expect(!MidradRank.isProvenNonsingular(hilbert(12)))
    }

    // MARK: Rank lower bounds

    /// U V with U (m x r) and V (r x n) of small random integers, rows and columns then shuffled, as integers.
    static func productOfRank(_ r: Int, _ m: Int, _ n: Int, _ g: inout SplitMix64, symmetric: Bool = false) -> [[Int]] {
        let u = (0..<m).map { _ in (0..<r).map { _ in g.uniform(in: -3...3) } }
        if symmetric {
            // U D U^T with D = diag(+-1, +-2): symmetric (and indefinite), rank r when U has rank r.
            let d = (0..<r).map { _ in [-2, -1, 1, 2][g.uniform(in: 0...3)] }
            var rows = (0..<m).map { i in (0..<m).map { j in (0..<r).reduce(0) { $0 + u[i][$1] * d[$1] * u[j][$1] } } }
            let p = Array(0..<m).shuffled(using: &g)  // the same permutation on both sides keeps the symmetry.
            rows = p.map { i in p.map { j in rows[i][j] } }
            return rows
        }
        let v = (0..<r).map { _ in (0..<n).map { _ in g.uniform(in: -3...3) } }
        let rows = (0..<m).map { i in (0..<n).map { j in (0..<r).reduce(0) { $0 + u[i][$1] * v[$1][j] } } }
        let columns = Array(0..<n).shuffled(using: &g)
        return rows.shuffled(using: &g).map { row in columns.map { row[$0] } }
    }

    /// As a MidradMatrix: radius 0, or 1e-12 relative (and 1e-12 absolute on zeros).
    static func midrad(_ rows: [[Int]], tinyRadii: Bool) -> MidradMatrix {
        let mids = rows.flatMap { $0.map(Double.init) }
        return MidradMatrix(rows: rows.count, columns: rows.first?.count ?? 0, midpoints: mids,
                            radii: mids.map { tinyRadii ? 1e-12 * max(1, abs($0)) : 0 })
    }

    /// The proven minor is what it claims: distinct rows and columns of the right count, and proven again alone.
    static func checkMinor(_ bound: MidradRank.LowerBound, _ a: MidradMatrix) -> Bool {
        bound.rows.count == bound.rank && bound.columns.count == bound.rank && Set(bound.rows).count == bound.rank
            && Set(bound.columns).count == bound.rank
            && MidradRank.isProvenNonsingular(a.submatrix(rows: bound.rows, columns: bound.columns))
    }

    /// U V of rank r (FLINT agrees) for r = 0, 1, 4, 11 and full, 14 x 17 and a 40 x 40 (whose goal 6 takes the
    /// sketch route: 16 rows < 40): the bound is exactly r with and without a goal of r, radius 0 and tiny radii.
    @Test func lowerBoundFindsConstructedRanks() {
        var g = SplitMix64(seed: 19)
        for (r, m, n) in [(0, 14, 17), (1, 14, 17), (4, 14, 17), (11, 14, 17), (14, 14, 17), (17, 20, 17), (6, 40, 40)] {
            let rows = Self.productOfRank(r, m, n, &g)
            #expect(CertifiedRankCheck.rank(rows) == r)
            for tiny in [false, true] {
                let a = Self.midrad(rows, tinyRadii: tiny)
                for goal in [nil, r] {
                    let bound = MidradRank.lowerBound(a, goal: goal)
                    #expect(bound.rank == r, "r = \(r), \(m) x \(n), tiny radii \(tiny), goal \(String(describing: goal))")
                    #expect(Self.checkMinor(bound, a))
                }
                #expect(MidradRank.lowerBound(a).candidate == r)
            }
        }
    }

    /// U D U^T (symmetric, indefinite) of rank r: principal minors on the pivot columns prove exactly r.
    @Test func symmetricLowerBoundFindsConstructedRanks() {
        var g = SplitMix64(seed: 23)
        for (r, n) in [(0, 12), (1, 12), (5, 12), (12, 12), (7, 40)] {
            let rows = Self.productOfRank(r, n, n, &g, symmetric: true)
            #expect(CertifiedRankCheck.rank(rows) == r)
            for tiny in [false, true] {
                let a = Self.midrad(rows, tinyRadii: tiny)
                for goal in [nil, r] {
                    let bound = MidradRank.lowerBound(a, goal: goal, symmetric: true)
                    #expect(bound.rank == r && bound.rows == bound.columns, "r = \(r), n = \(n), tiny \(tiny)")
                    #expect(Self.checkMinor(bound, a))
                }
            }
        }
    }

    /// A goal above the true rank: that minor is singular (exactly, radius 0; or a singular matrix lies inside the
    /// tiny balls), so it is never proven, and the search returns the true rank.
    @Test func goalAboveTheRankReturnsTheRank() {
        var g = SplitMix64(seed: 29)
        let rows = Self.productOfRank(5, 15, 15, &g)
        let symmetricRows = Self.productOfRank(5, 30, 30, &g, symmetric: true)
        for tiny in [false, true] {
            let a = Self.midrad(rows, tinyRadii: tiny)
            #expect(MidradRank.lowerBound(a, goal: 9).rank == 5)
            #expect(MidradRank.lowerBound(a, goal: 15).rank == 5)
            let s = Self.midrad(symmetricRows, tinyRadii: tiny)
            #expect(MidradRank.lowerBound(s, goal: 12, symmetric: true).rank == 5)
        }
        // A goal below the rank is proven as asked.
        #expect(MidradRank.lowerBound(Self.midrad(rows, tinyRadii: false), goal: 3).rank == 3)
    }
}
