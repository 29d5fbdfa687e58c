// A network with its data and targets: everything a Hessian depends on, as exact integers.
import ExactAlgebra

public struct Problem: Sendable {
    public let architecture: Architecture
    /// W_1 ... W_L; weights[t] is widths[t+1] x widths[t].
    public let weights: [IntegerMatrix]
    /// b_1 ... b_L, each widths[t+1] x 1, when the architecture has biases; empty otherwise.
    public let biases: [IntegerMatrix]
    /// X, N x d: one sample per row.
    public let x: IntegerMatrix
    /// Y, N x K: one target per row.
    public let y: IntegerMatrix

    public init(architecture: Architecture, weights: [IntegerMatrix], biases: [IntegerMatrix] = [], x: IntegerMatrix,
                y: IntegerMatrix) throws(InputError) {
        guard weights.count == architecture.depth else {
            throw InputError("expected \(architecture.depth) weight matrices for widths \(architecture); got \(weights.count)")
        }
        for (t, w) in weights.enumerated() where (w.rowCount, w.columnCount) != architecture.weightShape(t) {
            let shape = architecture.weightShape(t)
            throw InputError("W\(t + 1) must be \(shape.rows) x \(shape.columns) for widths \(architecture); got \(w.rowCount) x \(w.columnCount)")
        }
        guard biases.count == (architecture.bias ? architecture.depth : 0) else {
            throw InputError(architecture.bias ? "expected \(architecture.depth) bias vectors for widths \(architecture); got \(biases.count)"
                             : "the network has no biases but \(biases.count) bias vectors were given")
        }
        for (t, b) in biases.enumerated() where (b.rowCount, b.columnCount) != (architecture.widths[t + 1], 1) {
            throw InputError("b\(t + 1) must have \(architecture.widths[t + 1]) entries for widths \(architecture); got \(b.rowCount) x \(b.columnCount)")
        }
        guard x.columnCount == architecture.inputWidth, y.columnCount == architecture.outputWidth, x.rowCount == y.rowCount else {
            throw InputError("data must be N x \(architecture.inputWidth) and targets N x \(architecture.outputWidth); got \(x.rowCount) x \(x.columnCount) and \(y.rowCount) x \(y.columnCount)")
        }
        self.architecture = architecture
        self.weights = weights
        self.biases = biases
        self.x = x
        self.y = y
    }

    public var sampleCount: Int { x.rowCount }
    public var parameterCount: Int { architecture.parameterCount }

    /// b_1 ... b_L as flat lists of decimal strings, as reports and certificates write them; nil without biases.
    public var decimalBiases: [[String]]? {
        architecture.bias ? biases.map { $0.decimalRows.map { $0[0] } } : nil
    }
}

// Bias as a reparametrisation of a bias-free network.
//
// With hat-W_t = [[W_t, b_t], [0, 1]] for the hidden layers, hat-W_L = [W_L, b_L] and hat-x = [x; 1],
// f(x) = hat-W_L sigma(... sigma(hat-W_1 hat-x)) when the constant unit stays positive (it is 1 for every activation
// with sigma(1) = 1, and b^t for the exact path's scaled leaky ReLU, `Activation`): a bias-free network of widths
// [d + 1, M_1 + 1, ..., M_{L-1} + 1, K] on the data [X, 1]. Its loss, as a function of every entry of the hat-W_t,
// restricts to ours on the affine subspace where the last row of each hidden hat-W_t is held at [0, ..., 0, 1]; the
// Hessian of a restriction to a coordinate subspace is the principal submatrix on the free coordinates. So H_L, H_O and
// H_F of the bias network are principal submatrices of the augmented network's, at every point, over Z and over F_p
// alike (proofs/bias-network.md). A convolutional layer (W = sum_i theta_i E_i) is one more such map, H_theta = S^T H S.
extension Problem {
    /// The shape of the augmented network: [d + 1, M_1 + 1, ..., M_{L-1} + 1, K], without bias; refused if it is then
    /// too large to count (`Architecture.init`).
    public static func augmentedArchitecture(_ architecture: Architecture) throws(InputError) -> Architecture {
        let widths = architecture.widths
        return try Architecture(widths: [widths[0] + 1] + widths.dropFirst().dropLast().map { $0 + 1 } + [widths[widths.count - 1]])
    }

    /// The bias-free network on [X, 1] whose free coordinates are this network's parameters (see above).
    /// Precondition: the architecture has biases.
    public var augmented: Problem {
        precondition(architecture.bias, "Problem.augmented: the network has no biases")
        let widths = architecture.widths
        let depth = architecture.depth
        let weights = (0..<depth).map { t -> IntegerMatrix in
            var rows = zip(self.weights[t].decimalRows, biases[t].decimalRows).map { $0 + $1 }
            if t < depth - 1 { rows.append(Array(repeating: "0", count: widths[t]) + ["1"]) }
            return IntegerMatrix(decimalRows: rows)!
        }
        let x = augmentedData
        // Every width is at most p (Architecture), so the augmented shape counts too; the shapes chain by construction.
        return try! Problem(architecture: try! Self.augmentedArchitecture(architecture), weights: weights, x: x, y: y)
    }

    /// [X, 1]: the data with a constant input appended (N x (d + 1)).
    public var augmentedData: IntegerMatrix {
        IntegerMatrix(decimalRows: x.decimalRows.map { $0 + ["1"] })!
    }

    /// Where this network's parameters sit in the augmented network's parameter vector, in this network's order
    /// (per layer: W_t row-major, then b_t): entry (i, j) of W_t is entry (i, j) of hat-W_t, b_t[i] is its last column.
    public var augmentedIndices: [Int] {
        precondition(architecture.bias, "Problem.augmentedIndices: the network has no biases")
        let widths = architecture.widths
        var indices: [Int] = []
        var offset = 0
        for t in 0..<architecture.depth {
            let columns = widths[t] + 1
            let rows = t < architecture.depth - 1 ? widths[t + 1] + 1 : widths[t + 1]
            for i in 0..<widths[t + 1] { indices += (0..<widths[t]).map { offset + i * columns + $0 } }
            indices += (0..<widths[t + 1]).map { offset + $0 * columns + widths[t] }
            offset += rows * columns
        }
        return indices
    }
}
