// Ground-truth fixtures for other people's pipelines: per case a folder of .npy files (data, targets, weights and,
// when exactly representable, the three Hessians) and a case.json with the exact ranks, the formula values and how the
// ranks are known; a manifest with the SHA-256 of every file. Format in the README, "Using fixtures in your test suite".
import ExactAlgebra
import Foundation
import HessianAnalysis
import HessianConstructions
import HessianStudies
import NPYFormat
import NetworkModel
import NumericalAlgebra
import RankFormulas
import SHA256Digest

public struct FixtureCase: Sendable {
    public let architecture: Architecture
    public let samples: Int
    public let dataRank: Int?
    public let seed: UInt64

    public init(architecture: Architecture, samples: Int, dataRank: Int?, seed: UInt64) {
        self.architecture = architecture
        self.samples = samples
        self.dataRank = dataRank
        self.seed = seed
    }
}

public enum FixturePresets {
    public static let names = ["default", "demo"]

    /// default: eight small networks (L = 1 ... 4, a bottleneck, K = 1, N < d, a prescribed data rank) whose Hessian
    /// entries stay below 2^53, so every fixture carries its Hessians; demo: the paper's demo configuration.
    public static func cases(_ name: String, seed: UInt64) -> [FixtureCase]? {
        let shapes: [([Int], Int, Int?)]
        switch name {
        case "default":
            shapes = [([3, 2], 4, nil), ([4, 3, 2], 5, nil), ([6, 2, 5], 9, nil), ([5, 3, 1], 3, nil),
                      ([4, 3, 3, 2], 6, nil), ([6, 4, 3, 2], 8, 3), ([3, 2, 2, 2, 2], 4, nil), ([8, 4, 4, 3], 12, nil)]
        case "demo":
            shapes = [([25, 5, 10, 10], 50, nil)]
        default:
            return nil
        }
        return shapes.enumerated().map { index, shape in
            // The shapes above are valid by construction.
            FixtureCase(architecture: try! Architecture(widths: shape.0), samples: shape.1, dataRank: shape.2,
                        seed: seed &+ UInt64(index))
        }
    }
}

/// One written fixture: its folder name and the SHA-256 of each file.
public struct WrittenFixture: Sendable {
    public let name: String
    public let files: [String: String]

    public init(name: String, files: [String: String]) {
        self.name = name
        self.files = files
    }
}

public enum FixtureWriter {
    public static let formatVersion = 1

    /// The files of one fixture, in memory: name -> bytes. `activation` is linear or relu.
    public static func files(for problem: Problem, seed: UInt64, activation: Activation) throws -> [String: Data] {
        precondition(activation != .tanh, "fixtures carry exact ranks: linear or relu")
        let arch = problem.architecture
        var files: [String: Data] = [:]
        func npy(_ m: IntegerMatrix) -> Data? {
            var values: [Double] = []
            for i in 0..<m.rowCount {
                for j in 0..<m.columnCount {
                    guard m.bits(i, j) <= 53, let v = m.intValue(i, j) else { return nil }
                    values.append(Double(v))
                }
            }
            return NPY.encode(NPYArray(shape: [m.rowCount, m.columnCount], values: .float64(values)))
        }
        files["x.npy"] = npy(problem.x)
        files["y.npy"] = npy(problem.y)
        for (t, w) in problem.weights.enumerated() { files["w\(t + 1).npy"] = npy(w) }

        let sources: (HessianPart) -> BlockMatrix
        if activation == .relu {
            sources = try PiecewiseLinearHessian(problem, activation: .relu).source(for:)
        } else {
            sources = StructuredHessian(problem).source(for:)
        }
        // Fixtures must be byte-identical on a rerun, so their ranks are certified (deterministic primes), never
        // Monte Carlo ranks modulo a random prime: the command refuses networks above the certification limit.
        precondition(problem.parameterCount <= CertificationLimit.parameters, "fixtures certify p x p Hessians up to the certification limit")
        var ranks: [String: Int] = [:], hessianFiles: [String] = [], wellConditioned: [String: Bool] = [:]
        let float = FloatHessian.compute(FloatNetwork(problem, activation: activation))
        let p = problem.parameterCount
        for part in HessianPart.allCases {
            let source = sources(part)
            let result = try CertifiedRank.rank(of: source)
            ranks[part.rawValue] = result.rank
            if p <= 2_000, let data = npy(source.exact) {
                files["hessian_\(part.rawValue).npy"] = data
                hessianFiles.append("hessian_\(part.rawValue).npy")
            }
            // numpy.linalg.matrix_rank's rule on this float64 Hessian: right, and at least a decade from its threshold?
            let spectrum = (try? Spectrum.symmetricEigenvalues(float.entries(part), n: p)) ?? []
            let outcome = NumericalRank.evaluate(.numpyDefault, singularValues: spectrum, rows: p, columns: p)
            wellConditioned[part.rawValue] = outcome.rank == result.rank && outcome.marginDecades >= 1
        }
        let dataRank = try CertifiedRank.rank(of: problem.x).rank
        let formulas = LinearNetworkFormulas(widths: arch.widths, dataRank: dataRank)
        let caseObject: [String: Any] = [
            "formatVersion": formatVersion,
            "architecture": arch.widths,
            "activation": activation.rawValue,
            "loss": "mse",
            "seed": String(seed),
            "samples": problem.sampleCount,
            "parameters": p,
            "dataRank": dataRank,
            "s": formulas.s,
            "q": formulas.q,
            "ranks": ranks,
            "formula": ["loss": formulas.loss.value, "outer": formulas.outer.value, "functional": formulas.functional.value],
            "method": ["name": "multimodular-hadamard", "errorBound": 0],
            "hessianFiles": hessianFiles.sorted(),
            "numpyDefaultRankIsReliable": wellConditioned,
        ]
        files["case.json"] = try JSONSerialization.data(withJSONObject: caseObject, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return files
    }

    /// The folder name of a case: index, activation, widths, N and seed.
    public static func name(_ index: Int, _ c: FixtureCase, activation: Activation) -> String {
        String(format: "%02d", index + 1) + "-\(activation.rawValue)-" + c.architecture.widths.map(String.init).joined(separator: "x")
            + "-n\(c.samples)-seed\(c.seed)"
    }

    /// The manifest: every case with the SHA-256 of each of its files.
    public static func manifest(_ written: [WrittenFixture], activation: Activation) throws -> Data {
        let object: [String: Any] = [
            "formatVersion": formatVersion,
            "generator": "hessian-rank",
            "activation": activation.rawValue,
            "cases": written.map { ["name": $0.name, "files": $0.files] },
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }
}
