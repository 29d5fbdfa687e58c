// The bridge from a problem over Z to the reference module's Int128 network.
import ExactAlgebra
import HessianReference
import NetworkModel

extension Problem {
    /// This problem as plain Int128 arrays; nil when an entry does not fit.
    public var referenceNetwork: ReferenceNetwork? {
        func rows(_ m: IntegerMatrix) -> [[Int128]]? {
            var result: [[Int128]] = []
            for i in 0..<m.rowCount {
                var row: [Int128] = []
                for j in 0..<m.columnCount {
                    guard let value = Int128(m.decimal(i, j)) else { return nil }
                    row.append(value)
                }
                result.append(row)
            }
            return result
        }
        var weights: [[[Int128]]] = []
        for w in self.weights {
            guard let converted = rows(w) else { return nil }
            weights.append(converted)
        }
        var biases: [[Int128]]? = nil
        if architecture.bias {
            var vectors: [[Int128]] = []
            for b in self.biases {
                guard let column = rows(b) else { return nil }
                vectors.append(column.map { $0[0] })
            }
            biases = vectors
        }
        guard let samples = rows(x), let targets = rows(y) else { return nil }
        return try? ReferenceNetwork(widths: architecture.widths, weights: weights, biases: biases, samples: samples,
                                     targets: targets)
    }
}

extension Activation {
    /// The reference module's name for a piecewise-linear activation; nil for tanh, sigmoid and elu.
    public var reference: ReferenceActivation? {
        switch self {
        case .linear: .linear
        case .relu: .relu
        case .leakyReLU(let s): .leakyReLU(numerator: s.numerator, denominator: s.denominator)
        case .tanh, .sigmoid, .elu: nil
        }
    }
}

extension DirectHessian.Result {
    /// The entries of one part.
    public func entries(_ part: HessianPart) -> [Int128] {
        switch part {
        case .loss: loss
        case .outer: outer
        case .functional: functional
        }
    }
}
