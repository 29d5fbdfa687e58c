// Deterministic primality for 64-bit integers: Miller-Rabin with the first twelve primes as bases, which has no
// counterexample below 3.3 * 10^24 (Sorenson and Webster, 2015), far beyond 2^64. Independent of FLINT on purpose.

enum Primality {
    static func isPrime(_ n: UInt64) -> Bool {
        if n < 2 { return false }
        let bases: [UInt64] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]
        for b in bases where n % b == 0 { return n == b }
        var d = n - 1, s = 0
        while d % 2 == 0 { d /= 2; s += 1 }
        witnesses: for a in bases {
            var x = ModularArithmetic.power(a, d, n)
            if x == 1 || x == n - 1 { continue }
            for _ in 1..<max(s, 1) {
                x = ModularArithmetic.multiply(x, x, n)
                if x == n - 1 { continue witnesses }
            }
            return false
        }
        return true
    }
}

enum ModularArithmetic {
    @inline(__always) static func multiply(_ a: UInt64, _ b: UInt64, _ m: UInt64) -> UInt64 {
        m.dividingFullWidth(a.multipliedFullWidth(by: b)).remainder
    }

    static func power(_ base: UInt64, _ exponent: UInt64, _ m: UInt64) -> UInt64 {
        var result: UInt64 = 1 % m, b = base % m, e = exponent
        while e > 0 {
            if e & 1 == 1 { result = multiply(result, b, m) }
            b = multiply(b, b, m)
            e >>= 1
        }
        return result
    }

    /// The residue of a signed integer in [0, m).
    static func residue(_ x: Int128, _ m: UInt64) -> UInt64 {
        let r = x % Int128(m)
        return UInt64(r < 0 ? r + Int128(m) : r)
    }
}

/// The determinant modulo a prime by Gaussian elimination, written here rather than taken from FLINT.
enum ModularDeterminant {
    static func determinant(_ rows: [[Int128]], modulo p: UInt64) -> UInt64 {
        var a = rows.map { $0.map { ModularArithmetic.residue($0, p) } }
        let n = a.count
        var det: UInt64 = 1 % p
        for column in 0..<n {
            guard let pivot = (column..<n).first(where: { a[$0][column] != 0 }) else { return 0 }
            if pivot != column {
                a.swapAt(pivot, column)
                det = det == 0 ? 0 : p - det
            }
            det = ModularArithmetic.multiply(det, a[column][column], p)
            let inverse = ModularArithmetic.power(a[column][column], p - 2, p)
            for i in (column + 1)..<n where a[i][column] != 0 {
                let factor = ModularArithmetic.multiply(a[i][column], inverse, p)
                for j in column..<n where a[column][j] != 0 {
                    let t = ModularArithmetic.multiply(factor, a[column][j], p)
                    a[i][j] = a[i][j] >= t ? a[i][j] - t : a[i][j] + (p - t)
                }
            }
        }
        return det
    }
}
