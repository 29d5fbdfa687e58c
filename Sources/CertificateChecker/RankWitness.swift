// Checks one claimed rank against its two witnesses on a rebuilt Hessian (row-major p x p Int128 entries): the lower
// bound is always a nonzero minor; the upper bound is either the exact column span of that minor's columns
// ("nonzero-minor-and-column-span") or, from format version 2, a proven statement whose bound the checker recomputes
// and which must equal the rank ("nonzero-minor-and-proven-bound", `StatementBound`; dense networks only).
import HessianReference
import RankFormulas

enum RankWitness {
    static let method = "nonzero-minor-and-column-span"

    /// Checks the witness; returns the proven statement that closed the upper bound, or nil for the span.
    static func check(_ fields: Fields, rank: Int, matrix: [Int128], size p: Int, part: String, formatVersion: Int,
                      network: ReferenceNetwork?, activation: ReferenceActivation) throws(CertificateCheck.Failure) -> UpperBound? {
        typealias Failure = CertificateCheck.Failure
        let witnessMethod = try fields.string("method")
        guard witnessMethod == method || witnessMethod == StatementBound.method else {
            throw Failure("\(fields.path)method: unknown witness method (this checker knows \"\(method)\" and \"\(StatementBound.method)\")")
        }
        let usesStatement = witnessMethod == StatementBound.method
        guard !usesStatement || formatVersion >= 2 else {
            throw Failure("\(fields.path)method: \"\(StatementBound.method)\" needs format version 2")
        }
        // The statements' bounds are those of a dense network (network nil: a convolutional one, format version 3).
        guard !usesStatement || network != nil else {
            throw Failure("\(fields.path)method: proven statements are not checked for convolutional networks by this version; the upper bound must be \"\(method)\"")
        }
        guard usesStatement == (fields.object["statement"] != nil) else {
            throw Failure(usesStatement ? "\(fields.path)statement is missing: the method names a proven statement"
                                        : "\(fields.path)statement is given, but the method \"\(method)\" uses none")
        }
        guard rank >= 0 && rank <= p else { throw Failure("\(part): claimed rank \(rank) is outside 0...\(p)") }
        let rows = try fields.integers("rows"), columns = try fields.integers("columns")
        guard rows.count == rank, columns.count == rank else {
            throw Failure("\(part): claimed rank \(rank) but the witness minor is \(rows.count) x \(columns.count)")
        }
        for (name, indices) in [("rows", rows), ("columns", columns)] {
            guard indices.allSatisfy({ $0 >= 0 && $0 < p }) else { throw Failure("\(fields.path)\(name): an index is outside 0..<\(p)") }
            guard Set(indices).count == indices.count else { throw Failure("\(fields.path)\(name): an index is repeated") }
        }

        // Lower bound: det H[rows, columns] != 0 modulo the prime, and equal to the stated residue.
        guard let prime = UInt64(try fields.string("prime")), prime >= 2 else {
            throw Failure("\(fields.path)prime must be a decimal integer in 2..<2^64")
        }
        guard Primality.isPrime(prime) else { throw Failure("\(part): the witness modulus \(prime) is not prime") }
        guard let stated = UInt64(try fields.string("determinantResidue")), stated < prime else {
            throw Failure("\(fields.path)determinantResidue must be a decimal integer below the prime")
        }
        let residue = ModularDeterminant.determinant(
            rows.map { i in columns.map { j in matrix[i * p + j] } }, modulo: prime)
        guard residue != 0 else {
            throw Failure("\(part): the witness minor is singular modulo \(prime), so it does not show rank >= \(rank)")
        }
        guard residue == stated else {
            throw Failure("\(part): the witness minor is \(residue) modulo \(prime), but the certificate says \(stated)")
        }

        // Upper bound: a proven statement whose bound equals the rank, or every column outside `columns` in the span
        // of the columns `columns`.
        if usesStatement {
            return try StatementBound.check(try fields.string("statement"), part: part, rank: rank, network: network!,
                                            activation: activation)
        }
        switch ExactSpan.check(matrix, size: p, rows: rows, columns: columns) {
        case .spanned:
            break
        case .outside(let column):
            throw Failure("\(part): column \(column) is not in the span of the witness columns, so the rank exceeds \(rank)")
        case .zeroDenominator:
            throw Failure("\(part): the span solver answered with denominator 0, for which H[:, columns] X = 0 H[:, others] holds vacuously, so no column is shown to be in the span of the witness columns")
        }
        return nil
    }
}
