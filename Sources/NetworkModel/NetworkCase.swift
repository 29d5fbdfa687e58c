// One network to draw, as the grids and presets list them: its shape, its number of samples, the data rank to draw
// (nil: whatever the draw gives, min(N, d) almost always) and the seed of its draw. verify's grid, bias's grids and
// the fixture presets are lists of these.

public struct NetworkCase: Sendable, Equatable {
    public let architecture: Architecture
    public let samples: Int
    public let dataRank: Int?
    public let seed: UInt64

    public init(architecture: Architecture, samples: Int, dataRank: Int? = nil, seed: UInt64) {
        self.architecture = architecture
        self.samples = samples
        self.dataRank = dataRank
        self.seed = seed
    }

    /// The same case with another seed (the one a kink redraw landed on) or another architecture (e.g. with biases).
    public func with(seed: UInt64? = nil, architecture: Architecture? = nil) -> NetworkCase {
        NetworkCase(architecture: architecture ?? self.architecture, samples: samples, dataRank: dataRank,
                    seed: seed ?? self.seed)
    }
}
