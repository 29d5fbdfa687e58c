// What a rank certificate needs from elimination modulo p: a basis of the column space, and determinants.
internal import CFLINT

extension ModularMatrix {
    /// The pivot columns of the reduced row echelon form (`nmod_mat_rref`): a basis of the column space over F_p,
    /// in increasing order. Overwrites the matrix with its RREF.
    public func pivotColumnsOverwriting() -> [Int] {
        let rank = nmod_mat_rref(pointer)
        var pivots: [Int] = []
        for i in 0..<rank {
            withRow(i) { row in
                if let j = row.firstIndex(where: { $0 != 0 }) { pivots.append(j) }
            }
        }
        return pivots
    }

    /// The submatrix on the given rows and columns.
    public func submatrix(rows: [Int], columns: [Int]) -> ModularMatrix {
        let result = ModularMatrix(rows: rows.count, columns: columns.count, prime: prime)
        for (target, i) in rows.enumerated() {
            withRow(i) { source in result.withRow(target) { row in for (k, j) in columns.enumerated() { row[k] = source[j] } } }
        }
        return result
    }

    /// The determinant over F_prime (`nmod_mat_det`) of a square matrix.
    public func determinant() -> UInt {
        precondition(rowCount == columnCount, "ModularMatrix.determinant: not square")
        return rowCount == 0 ? 1 % prime : nmod_mat_det(pointer)
    }
}
