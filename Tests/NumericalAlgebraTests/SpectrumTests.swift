// The LAPACK spectra (Spectrum.swift) on small matrices whose eigenvalues and singular values are known by hand.
import NumericalAlgebra
import Testing

@Suite struct SpectrumTests {
    @Test func eigenvaluesByHand() throws {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let values = try Spectrum.symmetricEigenvalues([2, 1, 1, 2], n: 2)
        #expect(values.count == 2 && abs(values[0] - 1) < 1e-14 && abs(values[1] - 3) < 1e-14)
    }

    @Test func singularValuesByHand() throws {
        // [[3, 0], [4, 5]]: A^T A = [[25, 20], [20, 25]] has eigenvalues 45 and 5.
        let values = try Spectrum.singularValues([3, 0, 4, 5], rows: 2, columns: 2)
        #expect(abs(values[0] - 45.0.squareRoot()) < 1e-13 && abs(values[1] - 5.0.squareRoot()) < 1e-13)
        // Rectangular, both shapes: [[1, 0, 0], [0, 2, 0]] has singular values 2 and 1.
        #expect(try Spectrum.singularValues([1, 0, 0, 0, 2, 0], rows: 2, columns: 3).map { ($0 * 1e12).rounded() / 1e12 } == [2, 1])
        #expect(try Spectrum.singularValues([1, 0, 0, 2, 0, 0], rows: 3, columns: 2).map { ($0 * 1e12).rounded() / 1e12 } == [2, 1])
    }

    /// For a symmetric matrix the singular values are the absolute eigenvalues: B = G D G^T with G a rotation.
    @Test func singularValuesAreAbsoluteEigenvaluesForSymmetric() throws {
        let (c, s) = (0.6, 0.8)
        let g = [c, -s, 0, s, c, 0, 0, 0, 1]
        let d = [-4.0, 2, 0]
        var b = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { b[i * 3 + j] += g[i * 3 + k] * d[k] * g[j * 3 + k] } } }
        let eigen = try Spectrum.symmetricEigenvalues(b, n: 3).map(abs).sorted(by: >)
        let singular = try Spectrum.singularValues(b, rows: 3, columns: 3)
        for (e, v) in zip(eigen, singular) { #expect(abs(e - v) < 1e-13) }
        #expect(abs(eigen[0] - 4) < 1e-13 && abs(eigen[1] - 2) < 1e-13 && eigen[2] < 1e-14)
    }
}
