// The exact rank over Q of a small integer matrix (the data X, [X, 1], Omega), found by the checker itself: the rank a
// proven upper bound is read with (`StatementBound`). Nothing the producer states about these ranks is used.
//
// Modulo a prime, row echelon form gives pivot rows R and columns C with X[R, C] nonsingular mod p, hence over Q:
// rank X >= |C|. The exact span check (`ExactSpan`, every column of X a rational combination of the columns C, over all
// rows) gives rank X <= |C|. If the prime was unlucky (rank mod p below the rank over Q), the span check fails and the
// next prime is tried; a fixed list is enough: a failure can only refuse a valid certificate, never accept a false one.

enum SmallExactRank {
    /// Primes below 2^62, largest first, tried in turn.
    static let primes: [UInt64] = {
        var found: [UInt64] = []
        var candidate: UInt64 = (1 << 62) - 1
        while found.count < 4 {
            if Primality.isPrime(candidate) { found.append(candidate) }
            candidate -= 2
        }
        return found
    }()

    /// The rank of `rows` (each of `columnCount` entries), or nil if every prime of the list was unlucky.
    static func rank(_ rows: [[Int128]], columnCount n: Int) -> Int? {
        let m = rows.count
        if m == 0 || n == 0 { return 0 }
        let flat = rows.flatMap { $0 }
        for prime in primes {
            let (pivotRows, pivotColumns) = pivots(rows, columnCount: n, modulo: prime)
            if ExactSpan.check(flat, rowCount: m, columnCount: n, rows: pivotRows, columns: pivotColumns) == .spanned {
                return pivotColumns.count
            }
        }
        return nil
    }

    /// Row echelon form modulo `p`: the original indices of the pivot rows and the pivot columns.
    static func pivots(_ rows: [[Int128]], columnCount n: Int, modulo p: UInt64) -> (rows: [Int], columns: [Int]) {
        var a = rows.map { $0.map { ModularArithmetic.residue($0, p) } }
        var origin = Array(0..<a.count)
        var pivotColumns: [Int] = []
        var next = 0
        for column in 0..<n where next < a.count {
            guard let pivot = (next..<a.count).first(where: { a[$0][column] != 0 }) else { continue }
            a.swapAt(pivot, next)
            origin.swapAt(pivot, next)
            let inverse = ModularArithmetic.power(a[next][column], p - 2, p)
            for i in (next + 1)..<a.count where a[i][column] != 0 {
                let factor = ModularArithmetic.multiply(a[i][column], inverse, p)
                for j in column..<n where a[next][j] != 0 {
                    let t = ModularArithmetic.multiply(factor, a[next][j], p)
                    a[i][j] = a[i][j] >= t ? a[i][j] - t : a[i][j] + (p - t)
                }
            }
            pivotColumns.append(column)
            next += 1
        }
        return (Array(origin.prefix(next)), pivotColumns)
    }
}
