// The grids `hessian-rank calibrate` runs.
//
// - default: ten small networks (L = 2 ... 4, d <= 16, a bottleneck, fewer samples than inputs), integer data;
// - paper: the paper's width-sweep shape, d = 64 (8 x 8 images), hidden [w, w] for w = 4, 8, 16, K = 10, N = 100,
//   inputs in [0, 1];
// - conv: twelve linear convolutional networks, the six of `fixtures --preset conv` (p <= 100) and six larger ones
//   (p = 137 ... 612; 1-D and 2-D, same and valid padding, stride 2, up to four convolutions, biases), integer data.
import HessianAnalysis
import HessianConstructions
import NetworkModel

public enum CalibrationGrid {
    public static let presets = ["default", "paper", "conv"]

    static let defaultShapes: [(widths: [Int], samples: Int)] = [
        ([8, 4, 4, 3], 12), ([8, 6, 6, 4], 16), ([10, 5, 5, 5], 20), ([12, 4, 8, 3], 16), ([6, 3, 3, 3, 2], 10),
        ([16, 8, 8, 4], 24), ([8, 2, 6, 4], 10), ([10, 6, 6, 6], 6), ([12, 8, 8, 8, 4], 20), ([16, 10, 10, 6], 30),
    ]

    /// Six small linear CNNs (1-D and 2-D, valid and same padding (an even kernel too), stride 2, several input
    /// channels, two convolutions, a kernel that covers its whole input, biases on some layers), each with p <= 100:
    /// the networks of `fixtures --preset conv` (`FixturePresets.convolutionCases`) and the first of calibrate's conv
    /// preset, case i drawn from seed + i in both.
    public static let smallConvolutions: [(input: String, layers: String, samples: Int)] = [
        ("1x6", "conv:2:3,dense:2", 4),
        ("1x5x5", "conv:2:3:same,dense:2", 3),
        ("2x6x6", "conv:2:3:s2,dense:2", 4),
        ("1x4x4", "conv:2:2:bias,conv:1:2,dense:2:bias", 3),
        ("2x3x3", "conv:3:3,dense:2", 5),
        ("3x8", "conv:2:4:same,conv:2:2:s2,dense:3", 4),
    ]

    /// The rest of the conv preset: p = 137, 234, 252, 270, 360 and 612 (biases, four convolutions, 2-D stride 2).
    static let largerConvolutions: [(input: String, layers: String, samples: Int)] = [
        ("2x12", "conv:3:4:same:bias,conv:3:3:s2:bias,dense:5:bias", 12),
        ("1x32", "conv:2:3,conv:2:3,conv:2:3,conv:2:3,dense:4", 24),
        ("1x16", "conv:4:3,conv:4:3,dense:4", 20),
        ("1x10x10", "conv:3:3,conv:3:3:s2,dense:6", 16),
        ("2x8x8", "conv:4:3:s2,dense:8", 24),
        ("3x8x8", "conv:4:3:same,conv:4:3:s2,dense:10", 30),
    ]

    /// The conv preset's networks (`bias`: a bias in every layer). Case i uses seed + i.
    public static func convolutionCases(seed: UInt64, bias: Bool) -> [ConvolutionalNetworkCase] {
        ConvolutionalNetworkCase.cases(smallConvolutions + largerConvolutions, seed: seed, bias: bias)
    }

    /// The preset's cases (dense presets; nil for conv and unknown names); `data` overrides the preset's data
    /// distribution. Case i uses seed + i.
    public static func cases(preset: String, seed: UInt64, data: DataDistribution? = nil) -> [CalibrationCase]? {
        let shapes: [(widths: [Int], samples: Int)]
        let distribution: DataDistribution
        switch preset {
        case "default": (shapes, distribution) = (defaultShapes, data ?? .integer)
        case "paper": (shapes, distribution) = ([4, 8, 16].map { ([64, $0, $0, 10], 100) }, data ?? .uniform01)
        default: return nil
        }
        return shapes.enumerated().map { index, shape in
            // The shapes above are valid by construction.
            CalibrationCase(architecture: try! Architecture(widths: shape.widths), samples: shape.samples,
                            data: .drawn(distribution), seed: seed &+ UInt64(index))
        }
    }
}
