// A network with its data and targets: everything a Hessian depends on, as exact integers.
import ExactAlgebra

public struct Problem: Sendable {
    public let architecture: Architecture
    /// W_1 ... W_L; weights[t] is widths[t+1] x widths[t].
    public let weights: [IntegerMatrix]
    /// X, N x d: one sample per row.
    public let x: IntegerMatrix
    /// Y, N x K: one target per row.
    public let y: IntegerMatrix

    public init(architecture: Architecture, weights: [IntegerMatrix], x: IntegerMatrix, y: IntegerMatrix) throws(InputError) {
        guard weights.count == architecture.depth else {
            throw InputError("expected \(architecture.depth) weight matrices for widths \(architecture); got \(weights.count)")
        }
        for (t, w) in weights.enumerated() where (w.rowCount, w.columnCount) != architecture.weightShape(t) {
            let shape = architecture.weightShape(t)
            throw InputError("W\(t + 1) must be \(shape.rows) x \(shape.columns) for widths \(architecture); got \(w.rowCount) x \(w.columnCount)")
        }
        guard x.columnCount == architecture.inputWidth, y.columnCount == architecture.outputWidth, x.rowCount == y.rowCount else {
            throw InputError("data must be N x \(architecture.inputWidth) and targets N x \(architecture.outputWidth); got \(x.rowCount) x \(x.columnCount) and \(y.rowCount) x \(y.columnCount)")
        }
        self.architecture = architecture
        self.weights = weights
        self.x = x
        self.y = y
    }

    public var sampleCount: Int { x.rowCount }
    public var parameterCount: Int { architecture.parameterCount }
}
