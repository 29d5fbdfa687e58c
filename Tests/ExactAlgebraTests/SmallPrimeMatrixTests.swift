// The BLAS elimination modulo small primes against FLINT's `nmod_mat_lu` (`ModularMatrix.rank`), on matrices whose rank
// over F_p is known by construction.
import ExactAlgebra
import Testing

@Suite struct SmallPrimeMatrixTests {
    /// The largest prime the elimination accepts, found here by trial from the bound down.
    static let largestPrime: UInt = {
        var candidate = SmallPrimeMatrix.primeBound - 1
        while !Primes.isPrime(candidate) { candidate -= 1 }
        return candidate
    }()

    static let primes: [UInt] = [2, 3, 65_521, largestPrime]

    /// A random m x n matrix over F_p of rank exactly r: B C with B = P [I_r; R] and C = [I_r | S] Q for random R, S
    /// and random row and column permutations P, Q (B has full column rank and C full row rank, so B C has rank r);
    /// then `zeroRows` zero rows of B inserted and `duplicates` columns of C copied to the end (neither changes the
    /// rank). The product is FLINT's, over Z, then reduced modulo p.
    static func constructed(rows m: Int, columns n: Int, rank r: Int, prime: UInt, zeroRows: Int = 0, duplicates: Int = 0,
                            using g: inout SplitMix64) -> ModularMatrix {
        precondition(r <= min(m, n))
        let random = { (g: inout SplitMix64) in Int(g.uniform(below: UInt64(prime))) }
        var b = (0..<m).map { i in (0..<r).map { j in i < r ? (i == j ? 1 : 0) : random(&g) } }
        var c = (0..<r).map { i in (0..<n).map { j in j < r ? (i == j ? 1 : 0) : random(&g) } }
        b.shuffle(using: &g)
        var order = Array(0..<n)
        order.shuffle(using: &g)
        c = c.map { row in order.map { row[$0] } }
        for _ in 0..<zeroRows { b.insert([Int](repeating: 0, count: r), at: g.uniform(in: 0...b.count)) }
        if n > 0 {
            for _ in 0..<duplicates {
                let source = g.uniform(in: 0...(n - 1))
                c = c.map { $0 + [$0[source]] }
            }
        }
        let columns = n + (n > 0 ? duplicates : 0)
        let product = integer(b, columns: r) * integer(c, columns: columns)
        return ModularMatrix(product, prime: prime)
    }

    static func integer(_ rows: [[Int]], columns: Int) -> IntegerMatrix {
        var result = IntegerMatrix(rows: rows.count, columns: columns)
        for (i, row) in rows.enumerated() { for (j, x) in row.enumerated() where x != 0 { result[i, j] = x } }
        return result
    }

    static func flint(_ rows: [[UInt]], columns n: Int, prime: UInt) -> ModularMatrix {
        let m = ModularMatrix(rows: rows.count, columns: n, prime: prime)
        for (i, row) in rows.enumerated() { for (j, x) in row.enumerated() { m[i, j] = x } }
        return m
    }

    /// Rank by the new elimination and by FLINT, and the rank of the construction, for one shape.
    func check(rows m: Int, columns n: Int, rank r: Int, prime: UInt, zeroRows: Int = 0, duplicates: Int = 0,
               seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let reference = Self.constructed(rows: m, columns: n, rank: r, prime: prime, zeroRows: zeroRows,
                                         duplicates: duplicates, using: &g)
        let small = SmallPrimeMatrix(reference)
        let label = "\(m) x \(n), rank \(r), p = \(prime), +\(zeroRows) zero rows, +\(duplicates) columns, seed \(seed)"
        let rank = small.rank()
        #expect(rank == reference.rank(), "\(label)")
        #expect(rank == r, "\(label)")
        // rank() leaves the matrix as it was: a second call agrees.
        #expect(small.rank() == rank, "\(label)")
    }

    @Test(arguments: primes)
    func emptyAndZeroMatrices(prime: UInt) {
        for (m, n) in [(0, 0), (0, 5), (5, 0), (1, 1), (3, 7), (40, 17)] {
            let zero = SmallPrimeMatrix(rows: m, columns: n, prime: prime)
            #expect(zero.rank() == 0, "\(m) x \(n)")
            #expect(zero.rankOverwriting() == 0, "\(m) x \(n)")
        }
        let one = SmallPrimeMatrix(rows: 1, columns: 1, prime: prime)
        one[0, 0] = 1
        #expect(one.rank() == 1)
        one[0, 0] = prime  // reduced to 0
        #expect(one.rank() == 0)
        one[0, 0] = prime - 1
        #expect(one.rank() == 1)
        #expect(one[0, 0] == prime - 1)
    }

    /// Sizes at and around the base width (the plain-loop elimination) and twice it plus three (one recursive split
    /// with a remainder), square, wide and tall, at full rank, rank 1, rank 0 and ranks in between.
    @Test(arguments: primes)
    func sizesAroundTheBaseWidth(prime: UInt) {
        let nb = 16
        #expect(nb == 16, "the sizes below assume SmallPrimeMatrix.baseWidth = 16")
        var seed: UInt64 = 1
        for (m, n) in [(nb - 1, nb - 1), (nb, nb), (nb + 1, nb + 1), (2 * nb + 3, 2 * nb + 3), (nb, 3 * nb + 1),
                       (3 * nb + 1, nb + 1), (1, 40), (40, 1), (2 * nb + 3, 5 * nb), (70, 2 * nb + 3)] {
            let full = min(m, n)
            for r in Set([0, 1, full / 2, max(full - 1, 0), full]) {
                check(rows: m, columns: n, rank: r, prime: prime, seed: seed)
                seed += 1
            }
        }
    }

    /// Zero rows and duplicated columns in random places, over several recursion levels.
    @Test(arguments: primes)
    func zeroRowsAndDuplicatedColumns(prime: UInt) {
        var seed: UInt64 = 100
        for (m, n, r) in [(20, 20, 7), (50, 37, 30), (37, 80, 37), (90, 70, 1), (64, 64, 64), (100, 100, 61)] {
            check(rows: m, columns: n, rank: r, prime: prime, zeroRows: 5, duplicates: 9, seed: seed)
            seed += 1
        }
    }

    /// Random matrices (full rank or nearly, not constructed) against FLINT: several recursion levels, and triangular
    /// solves above the base width.
    @Test func randomMatricesAgreeWithFLINT() {
        var g = SplitMix64(seed: 7)
        for prime in Self.primes {
            for (m, n) in [(130, 130), (97, 150), (150, 97)] {
                let rows = (0..<m).map { _ in (0..<n).map { _ in UInt(g.uniform(below: UInt64(prime))) } }
                let reference = Self.flint(rows, columns: n, prime: prime)
                #expect(SmallPrimeMatrix(reference).rank() == reference.rank(), "\(m) x \(n), p = \(prime)")
            }
        }
    }

    /// Reduction from an integer matrix agrees with FLINT's reduction entry by entry, negative and large entries
    /// included.
    @Test func integerReductionMatchesFLINT() throws {
        let a = try #require(IntegerMatrix(decimalRows: [["-1", "123456789012345678901234567890", "0"],
                                                         ["8388592", "-8388593", "4"]]))
        for prime in Self.primes {
            let small = SmallPrimeMatrix(a, prime: prime), flint = ModularMatrix(a, prime: prime)
            for i in 0..<2 { for j in 0..<3 { #expect(small[i, j] == flint[i, j], "(\(i), \(j)) mod \(prime)") } }
        }
    }

    /// A left half of 544 columns with 544 pivots: the update's product has inner dimension 544, cut into pieces of
    /// 512 and 32 with a reduction between (the only test that reaches the cut: it needs more than 1,024 columns).
    @Test func productsLongerThanTheExactInnerDimension() {
        var g = SplitMix64(seed: 11)
        let prime = Self.largestPrime
        for (n, r) in [(1_100, 1_100), (1_100, 1_000)] {
            let reference = Self.constructed(rows: n, columns: n, rank: r, prime: prime, using: &g)
            let rank = SmallPrimeMatrix(reference).rankOverwriting()
            #expect(rank == r)
            #expect(rank == reference.rankOverwriting())
        }
    }

    @Test func largestPrimeIsBelowTheBound() {
        #expect(Self.largestPrime < SmallPrimeMatrix.primeBound)
        #expect(Self.largestPrime > SmallPrimeMatrix.primeBound - 100)
    }
}
