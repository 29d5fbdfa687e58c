// Assembling a product-block matrix modulo a small prime straight into doubles, for certification's many primes.
//
// The factors are reduced once per block to the balanced range (|x| <= 2^22); an entry's product is below 2^44 in
// magnitude and is added to a reduced entry and reduced at once, so every intermediate is an exact integer in a double.

extension SmallPrimeMatrix {
    public func add(_ block: ProductBlock) {
        precondition(block.rowOffset >= 0 && block.rowOffset + block.rowCount <= rowCount
                     && block.columnOffset >= 0 && block.columnOffset + block.columnCount <= columnCount,
                     "SmallPrimeMatrix.add: block does not fit")
        let prime = self.prime
        let left = block.left.residues(modulo: prime).map { Self.balanced($0, prime) }
        let right = block.right.residues(modulo: prime).map { Self.balanced($0, prime) }
        let (lr, lc, rr, rc) = (block.left.rowCount, block.left.columnCount, block.right.rowCount, block.right.columnCount)
        let n = columnCount
        for i in 0..<lr {
            for j in 0..<rr {
                let row = storage + (block.rowOffset + i * rr + j) * n + block.columnOffset
                switch block.pairing {
                case .kronecker:
                    for a in 0..<lc {
                        let x = left[i * lc + a]
                        for b in 0..<rc { row[a * rc + b] = reduce(row[a * rc + b] + x * right[j * rc + b]) }
                    }
                case .crossed:
                    for a in 0..<rc {
                        let y = right[j * rc + a]
                        for b in 0..<lc { row[a * lc + b] = reduce(row[a * lc + b] + left[i * lc + b] * y) }
                    }
                }
            }
        }
    }
}

extension BlockMatrix {
    public func reducedToDoubles(modulo prime: UInt) -> SmallPrimeMatrix {
        let result = SmallPrimeMatrix(rows: rowCount, columns: columnCount, prime: prime)
        for block in blocks { result.add(block) }
        return result
    }
}
