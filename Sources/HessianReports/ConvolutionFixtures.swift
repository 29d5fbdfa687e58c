// Ground-truth fixtures of linear convolutional networks (`fixtures --preset conv`, or one network with --input and
// --layers): format version 3, laid out as PyTorch holds the network, so that a consumer loads them into
// torch.nn.Conv1d/Conv2d/Linear (or its own NumPy code) without reordering anything:
// - x.npy: N x C x L or N x C x H x W (a batch as PyTorch takes it), y.npy: N x K;
// - w1.npy ... wL.npy: each layer's weight in PyTorch's shape, (C, C_in, k), (C, C_in, k, k) or (K, in) for a dense
//   layer on the flattened input; b_t.npy (C or K values, 1-d) for the layers with a bias;
// - hessian_loss.npy, hessian_outer.npy, hessian_functional.npy: the exact p x p Hessians in theta, parameters in
//   PyTorch's order (layer by layer, weight flattened row-major, then bias: `ConvolutionalArchitecture`), written
//   when every entry is below 2^53 in magnitude (then float64 holds it exactly), else omitted with the reason;
// - case.json: the input shape, the layers in --layers syntax, the exact ranks (certified, deterministic primes), the
//   tightest upper bound proven at that point with its statement (proofs/convolution.md), whether numpy's default rank
//   rule is right on the file with a decade of margin.
// The integer point is `ConvolutionalProblem.draw` at the case's seed (the same as `rank --input --layers`).
import ExactAlgebra
import Foundation
import HessianAnalysis
import HessianConstructions
import HessianStudies
import NPYFormat
import NetworkModel
import NumericalAlgebra
import RankFormulas

extension FixturePresets {
    /// The `conv` preset: six small linear CNNs (1-D and 2-D, valid and same padding (an even kernel too), stride 2, several input
    /// channels, two convolutions, a kernel that covers its whole input, biases on some layers; with `bias` on every
    /// layer), each with p <= 100 so that a consumer's own Hessian takes seconds, and entries below 2^53
    /// (`CalibrationGrid.smallConvolutions`, which calibrate's conv preset starts with).
    public static func convolutionCases(seed: UInt64, bias: Bool) -> [ConvolutionalNetworkCase] {
        ConvolutionalNetworkCase.cases(CalibrationGrid.smallConvolutions, seed: seed, bias: bias)
    }
}

extension FixtureWriter {
    /// The format of convolutional fixtures (case.json and manifest).
    public static let convolutionFormatVersion = 3

    /// The files of one convolutional fixture, in memory: name -> bytes (see the top of this file). Ranks are
    /// certified, so p is at most `CertificationLimit.parameters`.
    public static func convolutionFiles(for problem: ConvolutionalProblem, seed: UInt64) throws -> [String: Data] {
        let a = problem.architecture, p = problem.parameterCount, n = problem.sampleCount
        precondition(p <= CertificationLimit.parameters, "fixtures certify p x p Hessians up to the certification limit")
        var files: [String: Data] = [:]
        func npy(_ shape: [Int], _ values: [Int]) -> Data {
            // Drawn values are at most 16 in magnitude: exact in float64.
            NPY.encode(NPYArray(shape: shape, values: .float64(values.map(Double.init))))
        }
        func rows(_ m: IntegerMatrix) -> [Int] {
            (0..<m.rowCount).flatMap { i in (0..<m.columnCount).map { j in m.intValue(i, j)! } }
        }
        files["x.npy"] = npy([n, a.input.channels] + a.input.spatial, rows(problem.x))
        files["y.npy"] = npy([n, a.outputWidth], rows(problem.y))
        for t in 0..<a.depth {
            let offset = a.parameterOffset(t), shape = a.weightShape(t), count = shape.reduce(1, *)
            files["w\(t + 1).npy"] = npy(shape, Array(problem.theta[offset..<offset + count]))
            if a.biasCount(t) > 0 {
                files["b\(t + 1).npy"] = npy([a.biasCount(t)], Array(problem.theta[offset + count..<offset + count + a.biasCount(t)]))
            }
        }

        let hessian = ParametrizedLinearHessian(problem)
        let bounds = try PointUpperBounds.bounds(problem)
        var ranks: [String: Int] = [:], upper: [String: Any] = [:], hessianFiles: [String] = []
        var omitted: [String: String] = [:], wellConditioned: [String: Bool] = [:]
        for part in HessianPart.allCases {
            let rank = try CertifiedRank.rank(of: hessian.rankSource(for: part)).rank
            ranks[part.rawValue] = rank
            let bound = UpperBound.tightest(bounds[part]!)!
            upper[part.rawValue] = ["value": bound.value, "statement": bound.statement, "meets": bound.value == rank]
            switch trueHessian(hessian.exactMatrix(part), activation: .linear, depth: a.depth) {
            case .values(let values):
                files["hessian_\(part.rawValue).npy"] = NPY.encode(NPYArray(shape: [p, p], values: .float64(values)))
                hessianFiles.append("hessian_\(part.rawValue).npy")
                // numpy.linalg.matrix_rank's rule on this (exact) float64 Hessian: right, a decade from its threshold?
                let spectrum = (try? Spectrum.symmetricEigenvalues(values, n: p)) ?? []
                let outcome = NumericalRank.evaluate(.numpyDefault, singularValues: spectrum, rows: p, columns: p)
                wellConditioned[part.rawValue] = outcome.rank == rank && outcome.marginDecades >= 1
            case .omitted(let reason):
                omitted[part.rawValue] = reason
                wellConditioned[part.rawValue] = false
            }
        }
        var caseObject: [String: Any] = [
            "formatVersion": convolutionFormatVersion,
            "kind": "convolutional",
            "input": [a.input.channels] + a.input.spatial,
            "layers": a.layersText,
            "weightShapes": (0..<a.depth).map { a.weightShape($0) },
            "biasLayers": (0..<a.depth).filter { a.biasCount($0) > 0 }.map { $0 + 1 },
            "unrolledWidths": [a.input.count] + a.shapes.map(\.count),
            "activation": Activation.linear.rawValue,
            "loss": Loss.mse.rawValue,
            "seed": String(seed),
            "samples": n,
            "parameters": p,
            "dataRank": try CertifiedRank.rank(of: problem.x).rank,
            "ranks": ranks,
            "upperBounds": upper,
            "method": ["name": "multimodular-hadamard", "errorBound": 0],
            "hessianFiles": hessianFiles.sorted(),
            "numpyDefaultRankIsReliable": wellConditioned,
        ]
        if !omitted.isEmpty { caseObject["hessianFilesOmitted"] = omitted }
        files["case.json"] = try JSONSerialization.data(withJSONObject: caseObject, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return files
    }

    /// The folder name of a convolutional case: index, the input shape, the layers (':' as '-', ',' as '_'), N and
    /// the seed, e.g. 01-conv-1x6-conv-2-3_dense-2-n4-seed1.
    public static func convolutionName(_ index: Int, _ c: ConvolutionalNetworkCase) -> String {
        let layers = c.architecture.layersText.replacingOccurrences(of: ":", with: "-").replacingOccurrences(of: ",", with: "_")
        return String(format: "%02d", index + 1) + "-conv-\(c.architecture.input)-\(layers)-n\(c.samples)-seed\(c.seed)"
    }

    /// The manifest of convolutional fixtures: format version 3, kind "convolutional", every case's file hashes.
    public static func convolutionManifest(_ written: [WrittenFixture]) throws -> Data {
        let object: [String: Any] = [
            "formatVersion": convolutionFormatVersion,
            "kind": "convolutional",
            "generator": "hessian-rank",
            "activation": Activation.linear.rawValue,
            "cases": written.map { ["name": $0.name, "files": $0.files] },
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }
}
