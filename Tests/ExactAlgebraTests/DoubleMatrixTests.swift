import ExactAlgebra
import Testing

/// `DoubleMatrix`, the float64 ring of `RingMatrix`: on small integers every operation is exact, so each one equals
/// `IntegerMatrix`'s bit for bit; conversions and power-of-two scaling are exact.
@Suite struct DoubleMatrixTests {
    /// Seeded integers in -20...20.
    static func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> IntegerMatrix {
        var stream = SplitMix64(seed: seed)
        return IntegerMatrix((0..<rows).map { _ in (0..<columns).map { _ in stream.uniform(in: -20...20) } })
    }

    @Test(arguments: [(1, 1, 1), (3, 4, 2), (7, 5, 9), (16, 33, 8)])
    func operationsEqualTheIntegerOnesOnSmallIntegers(rows: Int, inner: Int, columns: Int) {
        let a = Self.matrix(rows, inner, seed: 1), b = Self.matrix(inner, columns, seed: 2), c = Self.matrix(rows, inner, seed: 3)
        let da = DoubleMatrix(a), db = DoubleMatrix(b), dc = DoubleMatrix(c)
        #expect(da.times(db) == DoubleMatrix(a * b))
        #expect(da.plus(dc) == DoubleMatrix(a + c))
        #expect(da.minus(dc) == DoubleMatrix(a - c))
        #expect(da.transposed == DoubleMatrix(a.transposed))
        #expect(da.identity(rows).times(da) == da && da.zeros(rows, inner) == DoubleMatrix(rows: rows, columns: inner))
        // The entrywise updates the constructions use.
        var x = da, y = a
        x.addProduct(0, 0, db, 0, 0, dc, 0, 0)
        y.addProduct(0, 0, b, 0, 0, c, 0, 0)
        x.addEntry(rows - 1, inner - 1, from: dc, 0, 0)
        y.addEntry(rows - 1, inner - 1, from: c, 0, 0)
        #expect(x == DoubleMatrix(y))
    }

    @Test func conversionAndScaling() throws {
        let big = try #require(IntegerMatrix(decimalRows: [["9007199254740993", "-3"]]))   // 2^53 + 1, rounded toward 0
        let d = DoubleMatrix(big)
        #expect(d[0, 0] == 9007199254740992 && d[0, 1] == -3)
        #expect(d.scaled(byPowerOfTwo: -2).entries == [2251799813685248, -0.75])
        #expect(DoubleMatrix(IntegerMatrix([[0]])).times(DoubleMatrix(IntegerMatrix([[5]]))).entries == [0])
    }
}
