// Test support: matrices whose rank is known by construction, and an independent exact rank.
import ExactAlgebra

enum KnownRank {
    /// An m x n integer matrix of rank exactly r: a diagonal of r nonzero integers, hidden by random unimodular row
    /// and column operations (adding a small multiple of one row or column to another, and swaps), which preserve
    /// rank over Q.
    static func matrix(rows m: Int, columns n: Int, rank r: Int, using g: inout SplitMix64) -> IntegerMatrix {
        precondition(r <= min(m, n))
        var a = [[Int]](repeating: [Int](repeating: 0, count: n), count: m)
        for i in 0..<r { a[i][i] = g.uniform(in: 1...5) * (g.uniform(in: 0...1) == 0 ? -1 : 1) }
        for _ in 0..<(2 * (m + n)) {
            if m > 1 {
                let (s, t) = distinctPair(m, &g)
                let k = g.uniform(in: -2...2)
                for j in 0..<n { a[t][j] += k * a[s][j] }
                if g.uniform(in: 0...3) == 0 { a.swapAt(s, t) }
            }
            if n > 1 {
                let (s, t) = distinctPair(n, &g)
                let k = g.uniform(in: -2...2)
                for i in 0..<m { a[i][t] += k * a[i][s] }
            }
        }
        return IntegerMatrix(a)
    }

    static func distinctPair(_ n: Int, _ g: inout SplitMix64) -> (Int, Int) {
        let s = g.uniform(in: 0...(n - 1))
        var t = g.uniform(in: 0...(n - 2))
        if t >= s { t += 1 }
        return (s, t)
    }

    /// Rank over Q by fraction-free (Bareiss) elimination in Int128, written here independently of FLINT.
    /// Every intermediate is a minor of the input, so it is exact while the Hadamard bound stays below 2^127;
    /// overflow traps (the test then fails loudly rather than passing wrongly).
    static func bareissRank(_ rows: [[Int128]]) -> Int {
        var a = rows
        let m = a.count, n = a.first?.count ?? 0
        var rank = 0
        var previous: Int128 = 1
        for column in 0..<n where rank < m {
            guard let pivot = (rank..<m).first(where: { a[$0][column] != 0 }) else { continue }
            a.swapAt(rank, pivot)
            for i in (rank + 1)..<max(m, rank + 1) {
                for j in (column + 1)..<n {
                    a[i][j] = (a[rank][column] * a[i][j] - a[i][column] * a[rank][j]) / previous
                }
                a[i][column] = 0
            }
            previous = a[rank][column]
            rank += 1
        }
        return rank
    }

    static func int128Rows(_ matrix: IntegerMatrix) -> [[Int128]] {
        (0..<matrix.rowCount).map { i in (0..<matrix.columnCount).map { j in Int128(matrix.decimal(i, j))! } }
    }
}
