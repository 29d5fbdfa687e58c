// `hessian-rank bench --elimination n,...`: one rank modulo one prime, FLINT's nmod_mat_lu against the BLAS elimination
// that --certify uses (`SmallPrimeMatrix`), on the same integer matrix.
import ExactAlgebra
import HessianCore

extension Bench {
    /// An n x n integer matrix of rank r = ceil(0.93 n) over Q and, generically, modulo a prime: r rows of entries in
    /// [-100, 100], and n - r rows each the sum of two of them, rows then shuffled.
    static func eliminationMatrix(_ n: Int, seed: UInt64) -> (matrix: IntegerMatrix, rank: Int) {
        var g = SplitMix64(seed: seed)
        let r = (93 * n + 99) / 100
        var rows = (0..<r).map { _ in (0..<n).map { _ in g.uniform(in: -100...100) } }
        for _ in r..<n {
            let (a, b) = (g.uniform(in: 0...(r - 1)), g.uniform(in: 0...(r - 1)))
            rows.append(zip(rows[a], rows[b]).map { $0 + $1 })
        }
        rows.shuffle(using: &g)
        return (IntegerMatrix(rows), r)
    }

    func runElimination() {
        let large = Primes.largest(1)[0], small = CertifiedRank.smallPrimes(1)[0]
        let header = ["n", "rank", "FLINT 63-bit", "FLINT 23-bit", "BLAS 23-bit", "reduce"]
        func line(_ cells: [String]) -> String { cells.map { Rank.pad($0, 14) }.joined() }
        print(line(header))
        for n in eliminationSizes {
            let (matrix, rank) = Self.eliminationMatrix(n, seed: seed)
            func median(_ body: () -> Int) -> (seconds: Double, rank: Int) {
                var times: [Double] = [], result = 0
                for _ in 0..<runs {
                    let clock = ContinuousClock()
                    let start = clock.now
                    result = body()
                    times.append((clock.now - start).seconds)
                }
                return (times.sorted()[times.count / 2], result)
            }
            let flintLarge = median { ModularMatrix(matrix, prime: large).rankOverwriting() }
            let flintSmall = median { ModularMatrix(matrix, prime: small).rankOverwriting() }
            let blas = median { SmallPrimeMatrix(matrix, prime: small).rankOverwriting() }
            let reduce = median { SmallPrimeMatrix(matrix, prime: small).rowCount }
            let ranks = Set([rank, flintLarge.rank, flintSmall.rank, blas.rank])
            print(line([String(n), ranks.count == 1 ? String(rank) : ranks.sorted().map(String.init).joined(separator: "/"),
                        String(format: "%.3f", flintLarge.seconds), String(format: "%.3f", flintSmall.seconds),
                        String(format: "%.3f", blas.seconds), String(format: "%.3f", reduce.seconds)]))
        }
        print("seconds (each rank includes reducing the integer matrix; 'reduce' is that part for the BLAS route); "
              + "median of \(runs) run(s); primes \(large) and \(small); FLINT \(FLINTRuntime.version)")
    }
}
