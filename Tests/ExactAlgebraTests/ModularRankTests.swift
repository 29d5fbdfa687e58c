import ExactAlgebra
import Synchronization
import Testing

@Suite struct ModularRankTests {
    /// Every rank 0...n for several square and rectangular shapes, hidden by random row and column operations.
    @Test(arguments: [(1, 1), (2, 2), (5, 5), (8, 8), (6, 9), (9, 4), (16, 16), (30, 30)])
    func everyRankByConstruction(rows m: Int, columns n: Int) throws {
        for r in 0...min(m, n) {
            let seed = UInt64(1000 * m + 10 * n + r)
            var g = SplitMix64(seed: seed)
            let a = KnownRank.matrix(rows: m, columns: n, rank: r, using: &g)
            var primes = SplitMix64(seed: seed, stream: 99)
            #expect(ModularRank.rank(of: a, primes: .given([Primes.random(using: &primes)])).rank == r,
                    "seed \(seed), \(m) x \(n), rank \(r)")
            #expect(ModularRank.rank(of: a, primes: .given((0..<3).map { _ in Primes.random(using: &primes) })).rank == r,
                    "seed \(seed)")
            #expect(try CertifiedRank.rank(of: a).rank == r, "seed \(seed)")
        }
    }

    /// The modular rank against an independent exact route (Bareiss in Int128) on random low-rank products.
    @Test func agreesWithBareiss() throws {
        for seed in UInt64(1)...40 {
            var g = SplitMix64(seed: seed)
            let (m, n, inner) = (g.uniform(in: 1...7), g.uniform(in: 1...7), g.uniform(in: 1...7))
            let u = IntegerMatrix((0..<m).map { _ in (0..<inner).map { _ in g.uniform(in: -3...3) } })
            let v = IntegerMatrix((0..<inner).map { _ in (0..<n).map { _ in g.uniform(in: -3...3) } })
            let a = u * v
            let expected = KnownRank.bareissRank(KnownRank.int128Rows(a))
            var primes = SplitMix64(seed: seed, stream: 7)
            #expect(ModularRank.rank(of: a, primes: .given([Primes.random(using: &primes)])).rank == expected, "seed \(seed)")
            #expect(try CertifiedRank.rank(of: a).rank == expected, "seed \(seed)")
        }
    }

    /// A prime dividing every entry of a rank-1 matrix makes the rank mod that prime 0: the one-sided error is real,
    /// and the certified method, whose primes are fixed, must not be fooled by such a matrix.
    @Test func unluckyPrimeLowersTheRank() throws {
        let p = Primes.largest(1)[0]
        let prime = try #require(IntegerMatrix(decimalRows: [[String(p)]]))
        let a = IntegerMatrix([[1], [3]]) * prime * IntegerMatrix([[1, 2]])  // p * [[1, 2], [3, 6]]
        #expect(ModularMatrix(a, prime: p).rank() == 0)
        #expect(try CertifiedRank.rank(of: a).rank == 1)
    }

    /// The same with certification's own first three primes (which it ranks modulo first): all three give rank 0, are
    /// skipped as unlucky, and the rank is still certified as 1; the primes used are the certification's sequence.
    @Test func certificationSkipsItsUnluckyPrimes() throws {
        let first = CertifiedRank.smallPrimes(3)
        #expect(first.allSatisfy { $0 < SmallPrimeMatrix.primeBound && Primes.isPrime($0) } && first == first.sorted(by: >))
        let product = first.map { IntegerMatrix([[Int($0)]]) }.reduce(IntegerMatrix([[1]]), *)
        let a = IntegerMatrix([[1], [3]]) * product * IntegerMatrix([[1, 2]])
        for prime in first { #expect(SmallPrimeMatrix(a, prime: prime).rank() == 0) }
        let result = try CertifiedRank.rank(of: a)
        #expect(result.rank == 1 && result.certified)
        #expect(result.primes.count > 3 && result.primes == CertifiedRank.smallPrimes(result.primes.count))
    }

    @Test func errorBoundFollowsTheHadamardCount() {
        // 30 + 40 = 70 bits: at most ceil(70 / 62) = 2 bad primes among >= 1.05e17.
        // A lower bound must not exceed the true count, about li(2^63) - li(2^62) = 1.0636e17 (computed with mpmath).
        let count = Primes.countInRangeLowerBound
        #expect(count > 1.05e17 && count < 1.0636e17)
        #expect(ModularRank.errorBound(rowNormLog2Bounds: [30, nil, 40], primeCount: 1) == 2 / count)
        #expect(ModularRank.errorBound(rowNormLog2Bounds: [30, nil, 40], primeCount: 2) == (2 / count) * (2 / count))
        #expect(ModularRank.errorBound(rowNormLog2Bounds: [nil, nil], primeCount: 1) == 0)
    }

    /// The bound is stated only for primes the run drew itself: for given primes (a replay) it is withheld, while the
    /// rank, a proven lower bound, is the same.
    @Test func givenPrimesCarryNoBound() {
        var g = SplitMix64(seed: 11)
        let a = KnownRank.matrix(rows: 6, columns: 6, rank: 4, using: &g)
        let drawn = ModularRank.rank(of: a, primes: .random(count: 2))
        #expect(drawn.rank == 4 && drawn.primes.count == 2)
        #expect(drawn.errorBound == ModularRank.errorBound(rowNormLog2Bounds: a.rowNormLog2Bounds(), primeCount: 2))
        let replayed = ModularRank.rank(of: a, primes: .given(drawn.primes))
        #expect(replayed.rank == 4 && replayed.primes == drawn.primes && replayed.errorBound == nil)
    }

    /// Fed a matrix built from the prime it will be ranked modulo (data chosen after the prime is known), a replay
    /// with that prime falls short, while fresh primes from the system's entropy do not.
    @Test func aPrimeKnownInAdvanceCanBeDefeated() throws {
        var g = SplitMix64(seed: 12)
        let known = Primes.random(using: &g)
        // diag(1, known): rank 2 over Q, 1 modulo known.
        let a = try #require(IntegerMatrix(decimalRows: [["1", "0"], ["0", String(known)]]))
        #expect(ModularRank.rank(of: a, primes: .given([known])).rank == 1)
        #expect(ModularRank.rank(of: a, primes: .random(count: 1)).rank == 2)
    }

    @Test func certificationRefusesBeyondItsLimit() {
        var g = SplitMix64(seed: 5)
        let a = KnownRank.matrix(rows: 30, columns: 30, rank: 29, using: &g)
        #expect(throws: CertifiedRank.TooLarge.self) { try CertifiedRank.rank(of: a, maximumPrimes: 2) }
        do {
            _ = try CertifiedRank.rank(of: a, maximumPrimes: 2)
        } catch {
            #expect(error.primesNeeded > 2 && error.limit == 2 && error.estimatedSeconds != nil)
            #expect(error.description.contains("about \(error.primesNeeded) modular ranks (about "))
        }
    }

    /// Progress is reported after each pair of primes, in order: the primes so far (2, 4, ...), the rank so far (a
    /// lower bound, here the constructed rank 29) and an estimate of the primes needed that is at least the primes used.
    @Test func certificationReportsProgress() throws {
        var g = SplitMix64(seed: 5)
        let a = KnownRank.matrix(rows: 30, columns: 30, rank: 29, using: &g)
        let reports = Mutex<[CertifiedRank.Progress]>([])
        let result = try CertifiedRank.rank(of: a, progress: { progress in reports.withLock { $0.append(progress) } })
        let seen = reports.withLock { $0 }
        #expect(result.rank == 29)
        #expect(!seen.isEmpty && seen.map(\.primesUsed) == Array(stride(from: 2, through: 2 * seen.count, by: 2)))
        #expect(seen.allSatisfy { $0.rank == 29 && $0.primesNeeded >= $0.primesUsed })
        #expect(result.primes.count >= seen.last!.primesUsed)
    }

    @Test func zeroSizedMatrices() throws {
        #expect(ModularRank.rank(of: IntegerMatrix(rows: 0, columns: 3), primes: .random(count: 1)).rank == 0)
        #expect(try CertifiedRank.rank(of: IntegerMatrix(rows: 3, columns: 0)).rank == 0)
    }
}
