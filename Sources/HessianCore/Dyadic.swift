// Finite doubles are dyadic rationals: every one is an integer times a power of two. So a float64 data matrix is an
// integer matrix over a common power of two, exactly, and the exact path can use it without rounding anything.
import ExactAlgebra

public enum Dyadic {
    /// The largest number of bits an entry may take after scaling (the direct route works in 127-bit integers).
    public static let maximumBits = 100

    /// `rows` = matrix / 2^exponent exactly, with the smallest exponent >= 0 that makes every entry an integer.
    /// Refuses NaN, infinities and values whose binary magnitudes span more than `maximumBits` bits together.
    public static func integers(_ rows: [[Double]]) throws(InputError) -> (matrix: IntegerMatrix, exponent: Int) {
        // v = sign * m * 2^k with m an odd integer below 2^53.
        var parts: [(negative: Bool, m: Int128, k: Int)?] = []
        for (i, row) in rows.enumerated() {
            for (j, v) in row.enumerated() {
                guard v.isFinite else { throw InputError("entry (\(i), \(j)) is \(v): only finite values have an exact rank") }
                if v == 0 { parts.append(nil); continue }
                let width = v.significandWidth
                let m = Int128((v.significand * Double(sign: .plus, exponent: width, significand: 1)).magnitude)
                parts.append((v < 0, m, Int(v.exponent) - width))
            }
        }
        let exponent = max(0, parts.compactMap { $0.map { -$0.k } }.max() ?? 0)
        var entries: [Int128] = []
        for part in parts {
            guard let (negative, m, k) = part else { entries.append(0); continue }
            let shift = k + exponent
            guard shift + 53 <= maximumBits else {
                throw InputError("the values span more than \(maximumBits) binary orders of magnitude, too many for the exact path")
            }
            entries.append((negative ? -m : m) << shift)
        }
        let columns = rows.first?.count ?? 0
        return (IntegerMatrix(rows: rows.count, columns: columns, int128: entries), exponent)
    }
}
