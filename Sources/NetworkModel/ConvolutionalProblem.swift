// A convolutional network at integer parameters, with integer data and targets, and its unrolled dense matrices.
import ExactAlgebra

public struct ConvolutionalProblem: Sendable {
    public let architecture: ConvolutionalArchitecture
    /// All parameters, in PyTorch's order (`ConvolutionalArchitecture`).
    public let theta: [Int]
    /// N x (flattened input), one sample per row.
    public let x: IntegerMatrix
    /// N x K.
    public let y: IntegerMatrix

    public init(architecture: ConvolutionalArchitecture, theta: [Int], x: IntegerMatrix, y: IntegerMatrix) throws(InputError) {
        guard theta.count == architecture.parameterCount else {
            throw InputError("the network has \(architecture.parameterCount) parameters; got \(theta.count)")
        }
        guard x.columnCount == architecture.input.count, y.columnCount == architecture.outputWidth,
              x.rowCount == y.rowCount, x.rowCount >= 1 else {
            throw InputError("the data must be N x \(architecture.input.count) and the targets N x \(architecture.outputWidth); got \(x.rowCount) x \(x.columnCount) and \(y.rowCount) x \(y.columnCount)")
        }
        self.architecture = architecture
        self.theta = theta
        self.x = x
        self.y = y
    }

    public var sampleCount: Int { x.rowCount }
    public var parameterCount: Int { theta.count }

    /// The unrolled matrix of each layer at theta. With biases anywhere, every representation carries a trailing
    /// constant 1: layer t's matrix gets a last column (its biases, zero for a layer without) and, below the last layer,
    /// a last row e_last that passes the 1 on. Without biases, the Toeplitz and dense matrices themselves.
    public var unrolledMatrices: [IntegerMatrix] {
        let a = architecture, augmented = a.hasBias
        return (0..<a.depth).map { t in
            let rows = a.shapes[t].count, columns = a.inputShape(t).count
            let last = t == a.depth - 1
            var w = IntegerMatrix(rows: rows + (augmented && !last ? 1 : 0), columns: columns + (augmented ? 1 : 0))
            let offset = a.parameterOffset(t)
            for (i, entries) in a.parametrization(t).enumerated() {
                for e in entries { w[e.row, e.column] = theta[offset + i] }
            }
            if augmented && !last { w[rows, columns] = 1 }
            return w
        }
    }

    /// X^T, with a last row of ones when the network has biases: the input of layer 1 for every sample, as columns.
    public var inputColumns: IntegerMatrix {
        guard architecture.hasBias else { return x.transposed }
        var columns = IntegerMatrix(rows: x.columnCount + 1, columns: sampleCount)
        for n in 0..<sampleCount {
            for j in 0..<x.columnCount { columns.addEntry(j, n, from: x, n, j) }
            columns[x.columnCount, n] = 1
        }
        return columns
    }
}

extension ConvolutionalProblem {
    /// The network drawn from `seed` as `Generator.draw` draws a dense one, from the same streams: parameters nonzero
    /// in -16...16, data and targets in -16...16.
    public static func draw(_ architecture: ConvolutionalArchitecture, samples: Int, seed: UInt64) throws(InputError) -> ConvolutionalProblem {
        var weights = SplitMix64(seed: seed, stream: Generator.Stream.weights.rawValue)
        var data = SplitMix64(seed: seed, stream: Generator.Stream.data.rawValue)
        var targets = SplitMix64(seed: seed, stream: Generator.Stream.targets.rawValue)
        let theta = (0..<architecture.parameterCount).map { _ in Generator.nonzero(bound: Generator.weightBound, using: &weights) }
        let x = Generator.matrix(samples, architecture.input.count) { data.uniform(in: -Generator.dataBound...Generator.dataBound) }
        let y = Generator.matrix(samples, architecture.outputWidth) { targets.uniform(in: -Generator.targetBound...Generator.targetBound) }
        return try ConvolutionalProblem(architecture: architecture, theta: theta, x: x, y: y)
    }
}
