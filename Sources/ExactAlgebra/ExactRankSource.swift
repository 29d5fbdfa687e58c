// What a rank method needs to know about an integer matrix, so that a large matrix never has to be stored over Z:
// its residues modulo a prime, and an upper bound on each row's Euclidean norm (for the Hadamard bound).
internal import CFLINT

public protocol ExactRankSource: Sendable {
    var rowCount: Int { get }
    var columnCount: Int { get }
    /// The matrix reduced modulo `prime`, as a fresh matrix the caller owns.
    func reduced(modulo prime: UInt) -> ModularMatrix
    /// The matrix reduced modulo a prime below `SmallPrimeMatrix.primeBound`, as doubles (certification's primes).
    func reducedToDoubles(modulo prime: UInt) -> SmallPrimeMatrix
    /// For each row, an upper bound on log2 of its Euclidean norm, or nil when the row is known to be zero (a zero row
    /// may also get a bound).
    func rowNormLog2Bounds() -> [Double?]
}

extension ExactRankSource {
    /// By way of the FLINT residues; sources that can do better (integer and block matrices) do.
    public func reducedToDoubles(modulo prime: UInt) -> SmallPrimeMatrix { SmallPrimeMatrix(reduced(modulo: prime)) }
}

extension IntegerMatrix: ExactRankSource {
    public func reduced(modulo prime: UInt) -> ModularMatrix { ModularMatrix(self, prime: prime) }
    public func reducedToDoubles(modulo prime: UInt) -> SmallPrimeMatrix { SmallPrimeMatrix(self, prime: prime) }

    /// Exact: the squared norm is summed with `fmpz_addmul`; if it has b bits it is below 2^b, so the norm is below
    /// 2^(b/2).
    public func rowNormLog2Bounds() -> [Double?] {
        var squared = fmpz()
        fmpz_init(&squared)
        defer { fmpz_clear(&squared) }
        return (0..<rowCount).map { i in
            fmpz_zero(&squared)
            for j in 0..<columnCount {
                let entry = entryPointer(i, j)
                fmpz_addmul(&squared, entry, entry)
            }
            return fmpz_is_zero(&squared) != 0 ? nil : Double(fmpz_bits(&squared)) / 2
        }
    }

    /// An upper bound on log2 |x| for every entry: the number of bits of the largest entry.
    public var maximumEntryBits: Int {
        withUnsafePointer { Int(fmpz_mat_max_bits($0).magnitude) }
    }
}
