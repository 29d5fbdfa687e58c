// Adding a product block modulo the prime: the hot loop of modular Hessian assembly.
//
// The factors are reduced once per block; each entry then costs one 64x64 -> 128-bit product, one 128/64-bit
// remainder and one modular addition, with no big integers and no allocation.

extension ModularMatrix {
    public func add(_ block: ProductBlock) {
        precondition(block.rowOffset >= 0 && block.rowOffset + block.rowCount <= rowCount
                     && block.columnOffset >= 0 && block.columnOffset + block.columnCount <= columnCount,
                     "ModularMatrix.add: block does not fit")
        let p = prime
        let left = block.left.residues(modulo: p), right = block.right.residues(modulo: p)
        let (lr, lc, rr, rc) = (block.left.rowCount, block.left.columnCount, block.right.rowCount, block.right.columnCount)
        for i in 0..<lr {
            for j in 0..<rr {
                withRow(block.rowOffset + i * rr + j) { row in
                    let base = block.columnOffset
                    switch block.pairing {
                    case .kronecker:
                        for a in 0..<lc {
                            let x = left[i * lc + a]
                            for b in 0..<rc {
                                let c = base + a * rc + b
                                row[c] = Self.addmod(row[c], Self.mulmod(x, right[j * rc + b], p), p)
                            }
                        }
                    case .crossed:
                        for a in 0..<rc {
                            let y = right[j * rc + a]
                            for b in 0..<lc {
                                let c = base + a * lc + b
                                row[c] = Self.addmod(row[c], Self.mulmod(left[i * lc + b], y, p), p)
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always) static func mulmod(_ a: UInt, _ b: UInt, _ p: UInt) -> UInt {
        p.dividingFullWidth(a.multipliedFullWidth(by: b)).remainder
    }

    /// Needs a, b < p < 2^63, so a + b cannot overflow.
    @inline(__always) static func addmod(_ a: UInt, _ b: UInt, _ p: UInt) -> UInt {
        let s = a &+ b
        return s >= p ? s - p : s
    }
}
