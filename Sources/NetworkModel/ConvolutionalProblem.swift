// A convolutional network at integer parameters, with integer data and targets, and its unrolled dense matrices.
import ExactAlgebra

public struct ConvolutionalProblem: Sendable {
    public let architecture: ConvolutionalArchitecture
    /// All parameters, in PyTorch's order (`ConvolutionalArchitecture`), as a p x 1 matrix of exact integers of any
    /// size (a problem read from float64 files, `exactWithExponents`, can hold integers of thousands of bits).
    public let parameters: IntegerMatrix
    /// N x (flattened input), one sample per row.
    public let x: IntegerMatrix
    /// N x K.
    public let y: IntegerMatrix

    public init(architecture: ConvolutionalArchitecture, theta: [Int], x: IntegerMatrix, y: IntegerMatrix) throws(InputError) {
        try self.init(architecture: architecture, parameters: IntegerMatrix(theta.map { [$0] }), x: x, y: y)
    }

    /// The problem with parameters given as a p x 1 integer matrix (any size).
    public init(architecture: ConvolutionalArchitecture, parameters: IntegerMatrix, x: IntegerMatrix, y: IntegerMatrix) throws(InputError) {
        guard parameters.rowCount == architecture.parameterCount, parameters.columnCount == 1 else {
            throw InputError("the network has \(architecture.parameterCount) parameters; got \(parameters.rowCount)")
        }
        guard x.columnCount == architecture.input.count, y.columnCount == architecture.outputWidth,
              x.rowCount == y.rowCount, x.rowCount >= 1 else {
            throw InputError("the data must be N x \(architecture.input.count) and the targets N x \(architecture.outputWidth); got \(x.rowCount) x \(x.columnCount) and \(y.rowCount) x \(y.columnCount)")
        }
        self.architecture = architecture
        self.parameters = parameters
        self.x = x
        self.y = y
    }

    public var sampleCount: Int { x.rowCount }
    public var parameterCount: Int { parameters.rowCount }

    /// The parameters as machine integers, for a problem whose parameters fit in `Int` (every drawn one); reading it
    /// for one that does not is a programming error (`parameters` holds every problem's exactly).
    public var theta: [Int] { (0..<parameterCount).map { parameters[$0, 0] } }

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
                for e in entries { w.addEntry(e.row, e.column, from: parameters, offset + i, 0) }
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
