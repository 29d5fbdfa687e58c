// How much memory ranking a network's Hessians takes, so that a network too large for the machine is refused up
// front with a figure, not killed half-way.
//
// The dominant cost is the matrices of 64-bit residues, one per Hessian part (the three parts are ranked
// concurrently): 3 * 8 * p^2 bytes for the full Hessians, 8 * (rows * columns) summed over the parts for the reduced
// ones (`ReducedHessian.rankedShape`). The data X (N x d) and targets Y (N x K) are held over Z and once modulo a
// prime, at 8 bytes an entry each for the entries the generator draws (plus the factors of a prescribed-rank X):
// 32 N (d + K) bytes covers them. The products, moments and their residues are matrices of at most (largest width)^2
// entries, a few of each alive at once: 64 (largest width)^2 bytes covers them (it matters for one wide layer, where
// p^2 is not much larger).
import Foundation

public enum MemoryEstimate {
    public static func bytes(parameterCount p: Int, samples: Int = 0, inputWidth: Int = 0, outputWidth: Int = 0,
                             largestWidth: Int = 0) -> Double {
        3 * 8 * Double(p) * Double(p) + 32 * Double(samples) * Double(inputWidth + outputWidth)
            + 64 * Double(largestWidth) * Double(largestWidth)
    }

    /// The estimate for a network and its data, ranked through its full Hessians or (`reduced`) through the
    /// reduced ones.
    public static func bytes(_ architecture: Architecture, samples: Int, reduced: Bool) -> Double {
        let p = reduced ? 0 : architecture.parameterCount
        let dataAndFactors = bytes(parameterCount: p, samples: samples, inputWidth: architecture.inputWidth,
                                   outputWidth: architecture.outputWidth, largestWidth: architecture.widths.max() ?? 0)
        guard reduced else { return dataAndFactors }
        return ReducedHessian.rankedShapes(architecture: architecture, samples: samples)
            .reduce(dataAndFactors) { $0 + 8 * Double($1.rows) * Double($1.columns) }
    }

    /// "12.3 GiB", "512.0 MiB".
    public static func describe(_ bytes: Double) -> String {
        let gib = bytes / Double(1 << 30)
        return gib >= 1 ? String(format: "%.1f GiB", gib) : String(format: "%.1f MiB", bytes / Double(1 << 20))
    }

    /// Parses "8G", "8GiB", "512M", "512MiB", "1048576" (bytes).
    public static func parse(_ text: String) -> Double? {
        let (gib, mib, kib) = (Double(1 << 30), Double(1 << 20), Double(1 << 10))
        let units: [(String, Double)] = [("GiB", gib), ("G", gib), ("MiB", mib), ("M", mib), ("KiB", kib), ("K", kib)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value > 0, (value * scale).isFinite else { return nil }
            return value * scale
        }
        guard let value = Double(text), value > 0, value.isFinite else { return nil }
        return value
    }
}
