// Certificates built in the test, without the producer: the network written out, the witnesses chosen by hand or by a
// small elimination modulo a prime written here, both digests computed here.
import Foundation
import SHA256Digest

enum HandBuilt {
    /// 2^61 - 1, a Mersenne prime.
    static let prime: UInt64 = 2_305_843_009_213_693_951

    /// A network section of the format: entries as decimal strings; `biases` nil for a bias-free network.
    static func network(activation: String, widths: [Int], weights: [[[Int128]]], biases: [[Int128]]?,
                        x: [[Int128]], y: [[Int128]]) -> [String: Any] {
        var network: [String: Any] = [
            "activation": activation, "architecture": widths, "loss": "mse",
            "weights": weights.map { $0.map { $0.map(String.init) } },
            "x": x.map { $0.map(String.init) }, "y": y.map { $0.map(String.init) },
        ]
        if let biases { network["biases"] = biases.map { $0.map(String.init) } }
        return network
    }

    /// One claimed part: its rank is the count of `indices`, the witness minor H[indices, indices].
    static func part(_ name: String, indices: [Int], residue: UInt64) -> [String: Any] {
        ["part": name, "rank": indices.count,
         "witness": ["method": "nonzero-minor-and-column-span", "prime": String(prime), "rows": indices, "columns": indices,
                     "determinantResidue": String(residue)] as [String: Any]]
    }

    /// The certificate file, both digests computed here.
    static func certificate(network: [String: Any], samples: Int, parameters: Int, parts: [[String: Any]]) throws -> Data {
        var root: [String: Any] = [
            "formatVersion": 1, "type": "hessian-rank-certificate", "generator": "hand-built test", "flintVersion": "none",
            "seed": "0", "samples": samples, "parameters": parameters, "network": network, "parts": parts,
            "inputsDigest": try CanonicalJSON.digest(network),
        ]
        root["certificateDigest"] = try CanonicalJSON.digest(root)
        return try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .prettyPrinted])
    }

    // MARK: arithmetic modulo the prime

    static func residue(_ x: Int128) -> UInt64 {
        let r = x % Int128(prime)
        return UInt64(r < 0 ? r + Int128(prime) : r)
    }

    static func mul(_ a: UInt64, _ b: UInt64) -> UInt64 {
        prime.dividingFullWidth(a.multipliedFullWidth(by: b)).remainder
    }

    static func inverse(_ a: UInt64) -> UInt64 {
        var (result, base, exponent) = (UInt64(1), a, prime - 2)
        while exponent > 0 {
            if exponent & 1 == 1 { result = mul(result, base) }
            base = mul(base, base)
            exponent >>= 1
        }
        return result
    }

    /// Row echelon form modulo the prime: the pivot columns, and the determinant when the matrix is square and regular.
    static func eliminate(_ rows: [[UInt64]]) -> (pivots: [Int], determinant: UInt64) {
        var m = rows
        var pivots: [Int] = [], determinant: UInt64 = 1, row = 0
        for column in 0..<(m.first?.count ?? 0) where row < m.count {
            guard let pivot = (row..<m.count).first(where: { m[$0][column] != 0 }) else { continue }
            if pivot != row { m.swapAt(pivot, row); determinant = (prime - determinant) % prime }
            determinant = mul(determinant, m[row][column])
            let scale = inverse(m[row][column])
            for below in (row + 1)..<max(m.count, row + 1) where m[below][column] != 0 {
                let factor = mul(m[below][column], scale)
                for j in column..<m[below].count {
                    m[below][j] = (m[below][j] + prime - mul(factor, m[row][j])) % prime
                }
            }
            pivots.append(column)
            row += 1
        }
        return (pivots, pivots.count == m.count ? determinant : 0)
    }

    /// A witness for a symmetric p x p matrix: its pivot columns modulo the prime (a basis of the column space, unless
    /// the prime divides a minor; the checker would then refuse), whose principal minor is regular (a symmetric
    /// matrix's principal submatrix on a basis of its columns is), and that minor's determinant modulo the prime.
    static func witness(_ matrix: [Int128], size p: Int) -> (indices: [Int], residue: UInt64) {
        let reduced = (0..<p).map { i in (0..<p).map { j in residue(matrix[i * p + j]) } }
        let indices = eliminate(reduced).pivots
        let minor = indices.map { i in indices.map { j in reduced[i][j] } }
        return (indices, indices.isEmpty ? 1 : eliminate(minor).determinant)
    }
}
