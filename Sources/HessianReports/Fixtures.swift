// Ground-truth fixtures for other people's pipelines: per case a folder of .npy files (data, targets, weights, biases
// for a network with biases and, when exactly representable, the three Hessians) and a case.json with the exact ranks,
// the formula values and how the ranks are known; a manifest with the SHA-256 of every file. Format in docs/fixtures.md,
// "Using fixtures in your test suite".
//
// The Hessian files hold the true Hessians H. For leaky-relu:a/b the exact path builds b^(2(L-1)) H with integer
// entries (`Activation`); each entry is divided by b^(2(L-1)) and written only if the quotient is a float64 number,
// exactly: always when b is a power of two (and the integer entries are below 2^53, the rule for every activation),
// for other b only when the division happens to be exact. Otherwise that part has no Hessian file and case.json says
// why (`hessianFilesOmitted`, for any reason a file is missing); its rank is exact either way. Nothing is rounded.
//
// Data from files (`fixtures --x [--y]`, `FixtureData`): the .npy files hold the values as given (the files' data and
// targets, the drawn integer weights and biases), and the exact path ranks the integer problem of those values
// (`Problem.exactWithExponents`): the true Hessian is H = D H~ D / 4^(e_y) with D = diag(2^(e_u)), e_u the exponent
// of parameter u's matrix (weights, biases) and e_y the targets' (`InputExponents`), entry by entry
// H~_uv 2^(e_u + e_v - 2 e_y), divided by b^(2(L-1)) for a leaky slope a/b: written under the same rule, when every
// entry is a float64 number exactly.
//
// Certified intervals (`fixtures --loss cross-entropy|log-cosh`, or `--activation tanh|sigmoid|elu`: format version 2,
// `intervalFiles`): where the Hessian's entries are transcendental no exact rank exists to write. The network is drawn
// by `Generator.drawForLoss` (small integers; one-hot targets for cross-entropy) and ranked at that integer point:
// per part a certified interval [lower, upper] from `LossIntervals` (lower: a minor proven nonsingular by ball
// arithmetic at `precisionBits`, or exact from the integer problem; upper: a proven statement, `upperStatement`, of
// basis `basis`), exact when the two meet. The Hessian files are FloatHessian's float64 evaluation of the same
// Hessians at the same point (rounded: the only fixtures whose Hessian files are not exact), so a consumer's own
// float64 Hessian should match them to a float tolerance, and its numerical rank lie in the interval.
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

public enum FixturePresets {
    public static let names = ["default", "demo", "conv"]

    /// default: eight small networks (L = 1 ... 4, a bottleneck, K = 1, N < d, a prescribed data rank) whose Hessian
    /// entries stay below 2^53, so every fixture carries its Hessians; demo: the paper's demo configuration.
    public static func cases(_ name: String, seed: UInt64) -> [NetworkCase]? {
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
            NetworkCase(architecture: try! Architecture(widths: shape.0), samples: shape.1, dataRank: shape.2,
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

/// A fixture's network at values given by files (`DrawPlan.files`): the values its .npy files hold, the powers of two
/// between them and the exact problem, and what case.json calls the data ("file:x.npy").
public struct FixtureData: Sendable {
    public let values: GivenValues
    public let exponents: InputExponents
    public let label: String

    public init(values: GivenValues, exponents: InputExponents, label: String) {
        self.values = values
        self.exponents = exponents
        self.label = label
    }

    /// e_u for every parameter u, in the parameters' order (per layer W_t row-major, then b_t).
    func parameterExponents(_ architecture: Architecture) -> [Int] {
        (0..<architecture.depth).flatMap { t -> [Int] in
            let shape = architecture.weightShape(t)
            return Array(repeating: exponents.weights[t], count: shape.rows * shape.columns)
                + (architecture.bias ? Array(repeating: exponents.biases![t], count: shape.rows) : [])
        }
    }
}

public enum FixtureWriter {
    public static let formatVersion = 1
    /// The format of the fixtures with certified intervals (`intervalFiles`); those with exact ranks stay at 1.
    public static let intervalFormatVersion = 2

    /// The files of one fixture, in memory: name -> bytes. `activation` is piecewise linear (exact ranks). With
    /// `given`, `problem` is the exact problem of its values (see the top of this file). Throws
    /// `PiecewiseLinearHessian.Kink` when the network sits on a kink.
    public static func files(for problem: Problem, seed: UInt64, activation: Activation,
                             given: FixtureData? = nil) throws -> [String: Data] {
        precondition(activation.isPiecewiseLinear, "fixtures carry exact ranks: linear, relu or leaky-relu")
        let arch = problem.architecture
        var files: [String: Data] = [:]
        func values(_ m: IntegerMatrix) -> [Double]? {
            var values: [Double] = []
            for i in 0..<m.rowCount {
                for j in 0..<m.columnCount {
                    guard m.bits(i, j) <= 53, let v = m.intValue(i, j) else { return nil }
                    values.append(Double(v))
                }
            }
            return values
        }
        func npy(_ m: IntegerMatrix) -> Data? {
            values(m).map { NPY.encode(NPYArray(shape: [m.rowCount, m.columnCount], values: .float64($0))) }
        }
        func npy(_ rows: [[Double]]) -> Data {
            NPY.encode(NPYArray(shape: [rows.count, rows.first?.count ?? 0], values: .float64(rows.flatMap { $0 })))
        }
        if let given {
            // The values as given: the files' data and targets, exactly as read (float64), the drawn weights and biases.
            files["x.npy"] = npy(given.values.x)
            files["y.npy"] = npy(given.values.y)
            for (t, w) in given.values.weights.enumerated() { files["w\(t + 1).npy"] = npy(w) }
            for (t, b) in given.values.biases.enumerated() {
                files["b\(t + 1).npy"] = NPY.encode(NPYArray(shape: [b.count], values: .float64(b)))
            }
        } else {
            files["x.npy"] = npy(problem.x)
            files["y.npy"] = npy(problem.y)
            for (t, w) in problem.weights.enumerated() { files["w\(t + 1).npy"] = npy(w) }
            // 1-d, as numpy users write nn.Linear's bias.
            for (t, b) in problem.biases.enumerated() {
                files["b\(t + 1).npy"] = values(b).map { NPY.encode(NPYArray(shape: [b.rowCount], values: .float64($0))) }
            }
        }

        let hessian = try ExactHessians.build(problem, activation: activation)
        // Fixtures must be byte-identical on a rerun, so their ranks are certified (deterministic primes), never
        // Monte Carlo ranks modulo a random prime: the command refuses networks above the certification limit.
        precondition(problem.parameterCount <= CertificationLimit.parameters, "fixtures certify p x p Hessians up to the certification limit")
        var ranks: [String: Int] = [:], hessianFiles: [String] = [], wellConditioned: [String: Bool] = [:]
        var omitted: [String: String] = [:]
        // The float network at the values the files hold (the problem over its powers of two, `FloatNetwork`).
        let float = FloatHessian.compute(FloatNetwork(problem, activation: activation, weightExponents: given?.exponents.weights,
                                                      dataExponent: given?.exponents.x ?? 0,
                                                      targetExponent: given?.exponents.y ?? 0))
        let p = problem.parameterCount
        let scale = given.map { HessianScale(parameters: $0.parameterExponents(arch), targets: $0.exponents.y) }
        for part in HessianPart.allCases {
            let result = try CertifiedRank.rank(of: hessian.source(for: part))
            ranks[part.rawValue] = result.rank
            switch trueHessian(hessian.exactMatrix(part), activation: activation, depth: arch.depth, scale: scale) {
            case .values(let values) where p <= 2_000:
                files["hessian_\(part.rawValue).npy"] = NPY.encode(NPYArray(shape: [p, p], values: .float64(values)))
                hessianFiles.append("hessian_\(part.rawValue).npy")
            case .values: break
            case .omitted(let reason): omitted[part.rawValue] = reason
            }
            // numpy.linalg.matrix_rank's rule on this float64 Hessian: right, and at least a decade from its threshold?
            let spectrum = (try? Spectrum.symmetricEigenvalues(float.entries(part), n: p)) ?? []
            let outcome = NumericalRank.evaluate(.numpyDefault, singularValues: spectrum, rows: p, columns: p)
            wellConditioned[part.rawValue] = outcome.rank == result.rank && outcome.marginDecades >= 1
        }
        let dataRank = try CertifiedRank.rank(of: problem.x).rank
        let formulas = LinearNetworkFormulas(widths: arch.widths, dataRank: dataRank)
        var caseObject: [String: Any] = [
            "formatVersion": formatVersion,
            "architecture": arch.widths,
            "activation": activation.rawValue,
            "loss": Loss.mse.rawValue,
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
        if !omitted.isEmpty { caseObject["hessianFilesOmitted"] = omitted }
        // Fixtures on drawn data keep their bytes: the key only appears for data from files.
        if let given { caseObject["data"] = given.label }
        // Bias-free fixtures keep the bytes they had before biases existed: these keys only appear with biases.
        if arch.bias {
            let augmentedDataRank = try CertifiedRank.rank(of: problem.augmented.x).rank
            let conjecture = BiasNetworkConjecture(widths: arch.widths, dataRank: dataRank, augmentedDataRank: augmentedDataRank)
            caseObject["bias"] = true
            caseObject["augmentedDataRank"] = augmentedDataRank
            caseObject["formula"] = ["loss": conjecture.loss.value, "outer": conjecture.outer.value,
                                     "functional": conjecture.functional.value]
            caseObject["formulaSource"] = "with-bias conjecture (proofs/statements/bias.md): observed, not proven"
        }
        files["case.json"] = try JSONSerialization.data(withJSONObject: caseObject, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return files
    }

    /// The files of one fixture with certified intervals (format version 2; see the top of this file): `problem` drawn
    /// for `loss` (`Generator.drawForLoss`) with hidden `activation` (linear, tanh, sigmoid or elu; `LossIntervals`
    /// applies: a loss other than mse or a smooth activation), ranked at its integer point. Throws
    /// `LossIntervals.Kink` when an elu pre-activation is not proven nonzero (the caller draws again), and
    /// `InputError` for what `LossIntervals` refuses.
    public static func intervalFiles(for problem: Problem, seed: UInt64, loss: Loss, activation: Activation) throws -> [String: Data] {
        precondition(LossIntervals.applies(loss: loss, activation: activation), "a piecewise-linear network under mse has exact ranks: files(for:)")
        precondition(problem.parameterCount <= CertificationLimit.parameters, "fixtures rank p x p Hessians up to the certification limit")
        let arch = problem.architecture, p = problem.parameterCount
        var files: [String: Data] = [:]
        func npy(_ m: IntegerMatrix, vector: Bool = false) -> Data {
            // drawForLoss's values are integers in -2...2 (and products of two such for data of a prescribed rank).
            let values = (0..<m.rowCount).flatMap { i in (0..<m.columnCount).map { j in Double(m.intValue(i, j)!) } }
            return NPY.encode(NPYArray(shape: vector ? [m.rowCount] : [m.rowCount, m.columnCount], values: .float64(values)))
        }
        files["x.npy"] = npy(problem.x)
        files["y.npy"] = npy(problem.y)
        for (t, w) in problem.weights.enumerated() { files["w\(t + 1).npy"] = npy(w) }
        for (t, b) in problem.biases.enumerated() { files["b\(t + 1).npy"] = npy(b, vector: true) }

        // The intervals of the true Hessians at the integer point (no scaling: Arb's rising precision may close what
        // double balls leave open), and FloatHessian's float64 Hessians at the same point.
        let intervals = try LossIntervals.analyze(problem, loss: loss, activation: activation)
        let float = FloatHessian.compute(FloatNetwork(problem, activation: activation), loss: loss, as: Double.self)
        var parts: [String: Any] = [:], wellConditioned: [String: Bool] = [:], hessianFiles: [String] = []
        for interval in intervals {
            let part = interval.part.rawValue
            var entry: [String: Any] = ["lower": interval.lower, "upper": interval.upper.value,
                                        "upperStatement": interval.upper.statement, "basis": interval.upper.basis.rawValue,
                                        "exact": interval.isExact]
            if let bits = interval.precision { entry["precisionBits"] = bits }
            parts[part] = entry
            let entries = float.entries(interval.part)
            files["hessian_\(part).npy"] = NPY.encode(NPYArray(shape: [p, p], values: .float64(entries)))
            hessianFiles.append("hessian_\(part).npy")
            // numpy.linalg.matrix_rank's rule on this float64 Hessian: the certified rank (an exact interval), at least
            // a decade from its threshold?
            let spectrum = (try? Spectrum.symmetricEigenvalues(entries, n: p)) ?? []
            let outcome = NumericalRank.evaluate(.numpyDefault, singularValues: spectrum, rows: p, columns: p)
            wellConditioned[part] = interval.isExact && outcome.rank == interval.lower && outcome.marginDecades >= 1
        }
        let dataRank = try CertifiedRank.rank(of: problem.x).rank
        var caseObject: [String: Any] = [
            "formatVersion": intervalFormatVersion,
            "architecture": arch.widths,
            "activation": activation.rawValue,
            "loss": loss.rawValue,
            "seed": String(seed),
            "samples": problem.sampleCount,
            "parameters": p,
            "dataRank": dataRank,
            "intervals": parts,
            "method": ["name": "certified-intervals", "lower": "ball-arithmetic", "upper": "proven-statement"],
            "hessianFiles": hessianFiles.sorted(),
            "hessianFilesRounded": true,
            "numpyDefaultRankIsReliable": wellConditioned,
        ]
        if arch.bias { caseObject["bias"] = true }
        // The paper's closed forms (K - 1 classes for cross-entropy), for linear bias-free networks: not proved for
        // these losses, so a comparison, never a bound.
        if activation == .linear && !arch.bias {
            let formulas = LossIntervals.paperFormulas(widths: arch.widths, dataRank: dataRank, loss: loss)
            caseObject["formula"] = ["loss": formulas.loss.value, "outer": formulas.outer.value, "functional": formulas.functional.value]
            caseObject["formulaSource"] = "the paper's closed forms" + (loss == .crossEntropy ? " with K - 1 classes" : "")
                + ", not proved for this loss: a comparison, not a bound"
        }
        files["case.json"] = try JSONSerialization.data(withJSONObject: caseObject, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return files
    }

    /// A Hessian file's values, or why there is none.
    enum HessianValues {
        case values([Double])
        case omitted(String)
    }

    /// The powers of two between the exact problem's Hessian and the true one at values given by files: entry (u, v)
    /// of the true Hessian is the integer one's times 2^(parameters[u] + parameters[v] - 2 targets).
    struct HessianScale {
        let parameters: [Int]
        let targets: Int
    }

    /// The true Hessian H from the exact path's integer matrix b^(2(L-1)) H (b = 1 but for leaky-relu:a/b), row-major,
    /// when every entry is exact in float64: the integer entries below 2^53 in magnitude, and each quotient by
    /// b^(2(L-1)) = odd^(2(L-1)) 2^(k 2(L-1)) an integer q (odd^(2(L-1)) divides the entry) times 2^-(k 2(L-1)) (and
    /// with `scale` times its power of two), which float64 holds exactly since |q| < 2^53 when the power stays in its
    /// range (checked entry by entry: the value scaled back gives q again).
    static func trueHessian(_ m: IntegerMatrix, activation: Activation, depth: Int, scale: HessianScale? = nil) -> HessianValues {
        let b: Int
        if case .leakyReLU(let slope) = activation { b = slope.denominator } else { b = 1 }
        let twos = b.trailingZeroBitCount, odd = b >> twos, power = 2 * (depth - 1)
        guard twos * power <= 1_000 else {
            return .omitted("the Hessian is the integer one divided by \(b)^\(power), beyond float64's exponent range")
        }
        let scaled = scale.map { " (the exact problem's at the files' values, whose true Hessian is it times 2^(e_u + e_v - \(2 * $0.targets)), e_u the exponent of parameter u's matrix)" } ?? ""
        var values: [Double] = []
        values.reserveCapacity(m.rowCount * m.columnCount)
        for i in 0..<m.rowCount {
            for j in 0..<m.columnCount {
                guard m.bits(i, j) <= 53, var q = m.intValue(i, j) else {
                    return .omitted("some entries of the integer Hessian" + (b == 1 ? "" : " \(b)^\(power) H") + scaled + " are 2^53 or more in magnitude")
                }
                if odd > 1 {
                    for _ in 0..<power {
                        guard q % odd == 0 else {
                            return .omitted("\(activation): the Hessian is the integer one divided by \(b)^\(power), and some of its entries are not float64 numbers (\(b) is not a power of two); no file rather than rounded values")
                        }
                        q /= odd
                    }
                }
                let k = -(twos * power) + (scale.map { $0.parameters[i] + $0.parameters[j] - 2 * $0.targets } ?? 0)
                let value = Double(sign: .plus, exponent: k, significand: Double(q))
                guard value.isFinite, Double(sign: .plus, exponent: -k, significand: value) == Double(q) else {
                    return .omitted("some entries of the true Hessian are beyond float64's exponent range: the integer one" + scaled + " times 2^\(k)")
                }
                values.append(value)
            }
        }
        return .values(values)
    }

    /// The folder name of a case: index, activation, the loss unless mse, widths, "bias" for a network with biases, N
    /// and seed. The activation's text is made safe for every file system: leaky-relu:1/8 becomes leaky-relu-1_8.
    public static func name(_ index: Int, _ c: NetworkCase, activation: Activation, loss: Loss = .mse) -> String {
        let activationName = activation.rawValue.replacingOccurrences(of: ":", with: "-").replacingOccurrences(of: "/", with: "_")
        return String(format: "%02d", index + 1) + "-\(activationName)-" + (loss == .mse ? "" : "\(loss.rawValue)-")
            + c.architecture.widths.map(String.init).joined(separator: "x")
            + (c.architecture.bias ? "-bias" : "") + "-n\(c.samples)-seed\(c.seed)"
    }

    /// The manifest: every case with the SHA-256 of each of its files (and "bias": true when the cases have biases;
    /// absent otherwise, so that bias-free manifests keep their bytes). With `intervals` (fixtures of `intervalFiles`):
    /// format version 2 and the loss; without, the bytes of version 1.
    public static func manifest(_ written: [WrittenFixture], activation: Activation, bias: Bool = false,
                                intervals loss: Loss? = nil) throws -> Data {
        var object: [String: Any] = [
            "formatVersion": loss == nil ? formatVersion : intervalFormatVersion,
            "generator": "hessian-rank",
            "activation": activation.rawValue,
            "cases": written.map { ["name": $0.name, "files": $0.files] },
        ]
        if bias { object["bias"] = true }
        if let loss { object["loss"] = loss.rawValue }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }
}
