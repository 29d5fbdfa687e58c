// One linear convolutional network of a study or preset: its architecture, N, and the seed its integer point is drawn
// from (`ConvolutionalProblem.draw`), as `NetworkCase` is for dense networks. Fixtures, calibrate and verify --conv
// list their networks as these.

public struct ConvolutionalNetworkCase: Sendable, Equatable {
    public let architecture: ConvolutionalArchitecture
    public let samples: Int
    public let seed: UInt64

    public init(architecture: ConvolutionalArchitecture, samples: Int, seed: UInt64) {
        self.architecture = architecture
        self.samples = samples
        self.seed = seed
    }

    /// The integer point of the case: `ConvolutionalProblem.draw` at its seed.
    public func draw() throws(InputError) -> ConvolutionalProblem {
        try ConvolutionalProblem.draw(architecture, samples: samples, seed: seed)
    }

    /// The cases of (input, layers, N) shapes, each layer list with a bias on every layer when `bias`, case i drawn
    /// from seed + i. The shapes must be valid (presets written in the source).
    public static func cases(_ shapes: [(input: String, layers: String, samples: Int)], seed: UInt64,
                             bias: Bool = false) -> [ConvolutionalNetworkCase] {
        shapes.enumerated().map { index, shape in
            ConvolutionalNetworkCase(architecture: try! ConvolutionalArchitecture(input: shape.input, layers: shape.layers, bias: bias),
                                     samples: shape.samples, seed: seed &+ UInt64(index))
        }
    }
}
