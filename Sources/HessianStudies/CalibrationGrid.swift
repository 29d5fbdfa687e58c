// The grids `hessian-rank calibrate` runs.
//
// - default: ten small networks (L = 2 ... 4, d <= 16, a bottleneck, fewer samples than inputs), integer data;
// - paper: the paper's width-sweep shape, d = 64 (8 x 8 images), hidden [w, w] for w = 4, 8, 16, K = 10, N = 100,
//   inputs in [0, 1].
import HessianAnalysis
import HessianConstructions
import NetworkModel

public enum CalibrationGrid {
    public static let presets = ["default", "paper"]

    static let defaultShapes: [(widths: [Int], samples: Int)] = [
        ([8, 4, 4, 3], 12), ([8, 6, 6, 4], 16), ([10, 5, 5, 5], 20), ([12, 4, 8, 3], 16), ([6, 3, 3, 3, 2], 10),
        ([16, 8, 8, 4], 24), ([8, 2, 6, 4], 10), ([10, 6, 6, 6], 6), ([12, 8, 8, 8, 4], 20), ([16, 10, 10, 6], 30),
    ]

    /// The preset's cases; `data` overrides the preset's data distribution. Case i uses seed + i.
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
