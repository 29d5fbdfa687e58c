import ExactAlgebra
import Testing

@Suite struct IntegerMatrixTests {
    @Test func arithmeticByHand() {
        let a = IntegerMatrix([[1, 2], [3, 4]]), b = IntegerMatrix([[0, 1], [1, 0]])
        #expect(a * b == IntegerMatrix([[2, 1], [4, 3]]))
        #expect(a + b == IntegerMatrix([[1, 3], [4, 4]]))
        #expect(a - b == IntegerMatrix([[1, 1], [2, 4]]))
        #expect(a.transposed == IntegerMatrix([[1, 3], [2, 4]]))
        #expect(IntegerMatrix.identity(2) * a == a)
        #expect(a.rows(1..<2) == IntegerMatrix([[3, 4]]))
    }

    @Test func valueSemantics() {
        var a = IntegerMatrix([[1, 2]])
        let b = a
        a[0, 0] = 7
        #expect(b == IntegerMatrix([[1, 2]]))
        #expect(a == IntegerMatrix([[7, 2]]))
    }

    @Test func decimalRoundTripBeyondSixtyFourBits() throws {
        let big = "-1606938044258990275541962092341162602522202993782792835301376" // -(2^200)
        let a = try #require(IntegerMatrix(decimalRows: [[big, "0"], ["12", "-3"]]))
        #expect(a.decimalRows == [[big, "0"], ["12", "-3"]])
        #expect(a.intValue(0, 0) == nil && a.intValue(1, 1) == -3)
        #expect(a.bits(0, 0) == 201)
        #expect(a.rowSquaredNorms.decimal(1, 0) == "153")
    }

    @Test(arguments: ["1.5", " 3", "", "--3", "+3", "3e2", "0x10", "٣"])
    func rejectsNonIntegers(_ text: String) {
        #expect(IntegerMatrix(decimalRows: [[text]]) == nil)
    }

    @Test func residuesAreNonNegative() {
        let a = IntegerMatrix([[-1, 7, -7]])
        #expect(a.residues(modulo: 7) == [6, 0, 0])
    }
}
