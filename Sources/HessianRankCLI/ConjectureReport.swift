// What `hessian-rank conjecture` prints: one JSON document (--json) or a table of the failing networks, a summary
// line and the minimal counterexample. Dense and convolutional runs share it (`ReportedCheck`); a convolutional
// network's record adds its input, layers and the quantities of `ConvolutionQuantities`.
import Foundation
import ExactAlgebra
import HessianCore
import RankFormulas

/// A network checked, as the report reads it: dense (`CaseCheck`) or convolutional (`ConvolutionalCaseCheck`).
protocol ReportedCheck: JudgedNetwork {
    var record: ConjectureReport.CaseRecord { get }
    /// Ranked by certified intervals (transcendental entries) rather than exactly.
    var byIntervals: Bool { get }
    /// Ranked exactly (modulo primes, over F_p, or certified), so that `errorBound` speaks.
    var rankedExactly: Bool { get }
    var errorBound: Double? { get }
    /// The options that select exactly this network on the conjecture command line.
    var networkOptions: [String] { get }
}

extension CaseCheck: ReportedCheck {
    var record: ConjectureReport.CaseRecord { ConjectureReport.CaseRecord(self) }
    var byIntervals: Bool { intervals != nil }
    var rankedExactly: Bool { analysis != nil }
    var networkOptions: [String] { gridCase.commandLineOptions }
}

extension ConvolutionalCaseCheck: ReportedCheck {
    var record: ConjectureReport.CaseRecord { ConjectureReport.CaseRecord(self) }
    var byIntervals: Bool { false }
    var rankedExactly: Bool { true }
    var networkOptions: [String] { network.commandLineOptions }
}

struct ConjectureReport: Encodable {
    struct FormulaRecord: Encodable {
        let part: String
        /// "==", "<=" or ">=".
        let relation: String
        let text: String
    }

    struct PartRecord: Encodable {
        let part: String
        /// The exact rank, or the lower end of a certified interval.
        let rank: Int
        /// The upper end of a certified interval (cross-entropy, log-cosh, tanh, sigmoid, elu); absent for exact ranks.
        let upper: Int?
        /// nil when the formula has no value at this network (`error`).
        let value: Int?
        let verdict: String?
        let error: String?
        /// The statement of the bound proven at every point that the rank meets (the rank over Q is exact), if any.
        let exactBy: String?
    }

    struct CaseRecord: Encodable {
        let network: String
        let widths: [Int]
        let samples: Int
        /// The data rank asked for; nil: full (min(N, d)).
        let requestedDataRank: Int?
        let bias: Bool
        let activation: String
        let loss: String
        let parameters: Int
        /// The seeds drawn, in order; the ranks are at the last (a kink redraw may move it: `analysedSeed`).
        let seeds: [String]
        let analysedSeed: String
        let dataRank: Int
        let augmentedDataRank: Int?
        let residualRank: Int?
        /// Whether the diagnostics C1-C4 hold at the point (proofs/genericity.md), for linear bias-free networks
        /// ranked exactly; absent where no diagnosis exists.
        let conditionsHold: Bool?
        /// The diagnostics that fail, e.g. "C3: rank Omega = 1 < 2".
        let diagnosticFailures: [String]?
        let parts: [PartRecord]
        /// A convolutional network's input shape and layers (`--input`, `--layers`); absent for dense networks.
        let input: String?
        let layers: String?
        /// Its quantities under their names in formulas (C0, S, channels, kernel, stride, positions, kappa, patchrank).
        let convolution: ConvolutionRecord?

        init(_ check: CaseCheck) {
            let c = check.gridCase
            network = c.description
            widths = c.architecture.widths
            samples = c.samples
            requestedDataRank = c.dataRank
            bias = c.architecture.bias
            activation = c.activation.rawValue
            loss = c.loss.rawValue
            parameters = c.architecture.parameterCount
            seeds = check.seeds.map { String($0) }
            analysedSeed = String(check.drawnSeed)
            dataRank = check.quantities.dataRank
            augmentedDataRank = check.quantities.augmentedDataRank
            residualRank = check.quantities.residualRank
            conditionsHold = check.analysis?.diagnosis?.conditionsHold
            diagnosticFailures = check.analysis?.diagnosis.map(\.failures)
            parts = Self.parts(check.judgements)
            (input, layers, convolution) = (nil, nil, nil)
        }

        init(_ check: ConvolutionalCaseCheck) {
            let c = check.network, a = c.architecture
            network = c.description
            widths = check.quantities.widths
            samples = c.samples
            requestedDataRank = nil
            bias = false
            activation = Activation.linear.rawValue
            loss = Loss.mse.rawValue
            parameters = a.parameterCount
            seeds = check.seeds.map { String($0) }
            analysedSeed = String(check.seed)
            dataRank = check.quantities.dataRank
            augmentedDataRank = check.quantities.augmentedDataRank
            residualRank = check.quantities.residualRank
            conditionsHold = nil
            diagnosticFailures = nil
            parts = Self.parts(check.judgements)
            input = a.input.description
            layers = a.layersText
            convolution = check.quantities.convolution.map(ConvolutionRecord.init)
        }

        static func parts(_ judgements: [FormulaJudgement]) -> [PartRecord] {
            judgements.map { j in
                PartRecord(part: j.part.rawValue, rank: j.rank, upper: j.upper, value: j.value, verdict: j.verdict?.rawValue,
                           error: j.error?.description, exactBy: j.exactBy?.statement)
            }
        }
    }

    /// `ConvolutionQuantities` under the names formulas use.
    struct ConvolutionRecord: Encodable {
        let C0: Int
        let S: Int
        let channels: [Int]
        let kernel: [Int]
        let stride: [Int]
        let positions: [Int]
        let kappa: [Int]
        /// rank G, for one hidden convolution then a dense layer.
        let patchrank: Int?

        init(_ q: ConvolutionQuantities) {
            (C0, S, channels, kernel, stride) = (q.inputChannels, q.spatialAxes, q.channels, q.kernels, q.strides)
            (positions, kappa, patchrank) = (q.positions, q.filterEntries, q.patchResidualRank)
        }
    }

    struct Summary: Encodable {
        let networks: Int
        /// Of them, ranked by certified intervals (transcendental entries) rather than exactly.
        let intervalNetworks: Int
        /// Formula values judged (one per formula and network).
        let judged: Int
        let equal: Int
        let withinBound: Int
        /// Ranks above a claimed value or upper bound: each refutes it for certain.
        let above: Int
        /// Values claimed equal (or lower bounds) above p, or N K for H_O: no point attains them.
        let impossible: Int
        /// Shortfalls that survived the redraws where nothing explains them: evidence against the formula.
        let below: Int
        /// Shortfalls at points where a diagnostic (C1-C4) fails: they say nothing.
        let belowWhereADiagnosticFails: Int
        /// Certified intervals that contain the value (or straddle a bound): nothing decided.
        let undecided: Int
        /// Formulas without a value at a network (a division with a remainder, a missing quantity, ...).
        let withoutValue: Int
        let redrawn: Int
        let failedNetworks: Int
        /// Networks that could not be drawn (every redraw on a kink, data of the prescribed rank not found): not
        /// checked, so the run does not pass.
        let notDrawn: Int
        /// The largest probability, over the drawn points, that a rank fell below the generic rank over F_p (generic
        /// mode) or below the rank over Q (integer points); nil where no bound applies (primes given).
        let worstErrorBound: Double?
        let passed: Bool
    }

    struct Counterexample: Encodable {
        /// From the first failing network to the minimal one, one shrink step each.
        let path: [String]
        /// Candidates checked while shrinking.
        let evaluated: Int
        let minimal: CaseRecord
        /// The same network at integer points with every rank certified over Q; nil when that could not be done.
        let certified: CaseRecord?
        /// A certified rank above a claimed value or upper bound: the refutation is proven.
        let proven: Bool
        let reproduce: String
        let certify: String
    }

    let formatVersion = 1
    let formulas: [FormulaRecord]
    let definitions: [String]
    let seed: String
    /// The prime of generic mode (or the one given); nil for integer points with primes drawn per network.
    let prime: String?
    let generic: Bool
    let cases: [CaseRecord]
    /// Each network that could not be drawn, with the reason.
    let notDrawn: [String]
    let summary: Summary
    /// Whether a formula reads rank Omega (then an ABOVE is certain at its point: proofs/conjecture-language.md).
    let readsOmega: Bool
    let counterexample: Counterexample?
    /// A grid of convolutional networks (integer points only); absent for dense grids.
    let convolutional: Bool?
    /// Whether a formula reads rank G (`patchrank`), like rank Omega a rank at the point; convolutional grids only.
    let readsPatchRank: Bool?

    init<Checked: ReportedCheck>(conjecture: Conjecture, definitions: [String], checks: [Checked], notDrawn: [String],
                                 shrinking: Shrinking<Checked>?, confirmation: Checked?, seed: String, prime: UInt?,
                                 generic: Bool, convolutional: Bool = false, reproduce: String?, certify: String?) {
        formulas = conjecture.parts.map { part in
            let f = conjecture.formulas[part]!
            return FormulaRecord(part: part.rawValue, relation: f.relation.rawValue, text: f.text)
        }
        self.definitions = definitions
        self.seed = seed
        self.prime = prime.map { String($0) }
        self.generic = generic
        readsOmega = conjecture.reads("omega")
        self.convolutional = convolutional ? true : nil
        readsPatchRank = convolutional ? conjecture.reads("patchrank") : nil
        cases = checks.map(\.record)
        self.notDrawn = notDrawn
        let verdicts = checks.flatMap { $0.judgements.compactMap(\.verdict) }
        func count(_ wanted: Set<Verdict>) -> Int { verdicts.filter { wanted.contains($0) }.count }
        summary = Summary(
            networks: checks.count, intervalNetworks: checks.filter(\.byIntervals).count, judged: checks.reduce(0) { $0 + $1.judgements.count },
            equal: count([.equal]), withinBound: count([.withinBound]), above: count([.above]), impossible: count([.impossible]),
            below: count([.belowConditionsHold, .belowUndiagnosed, .belowProvenAttained]),
            belowWhereADiagnosticFails: count([.belowConditionsFail, .belowNonGeneric]), undecided: count([.undecided]),
            withoutValue: checks.reduce(0) { $0 + $1.judgements.filter { $0.error != nil }.count },
            redrawn: checks.filter { $0.seeds.count > 1 }.count,
            failedNetworks: checks.filter(\.failed).count, notDrawn: notDrawn.count,
            worstErrorBound: checks.contains(where: \.rankedExactly)
                ? RankResult.worstBound(checks.filter(\.rankedExactly).map(\.errorBound)) : nil,
            passed: !checks.contains { $0.failed || $0.hasError } && notDrawn.isEmpty)
        counterexample = shrinking.map { s in
            Counterexample(path: s.path.map(\.description), evaluated: s.evaluated, minimal: s.minimal.record,
                           certified: confirmation.map(\.record),
                           proven: (confirmation ?? (s.minimal.byIntervals ? s.minimal : nil))?.refutedForCertain ?? false,
                           reproduce: reproduce ?? "", certify: certify ?? "")
        }
    }

    // MARK: The table

    func table(show: Int) -> String {
        var lines: [String] = []
        for f in formulas { lines.append("\(FormulaPart(rawValue: f.part)!.symbol) \(f.relation) \(Self.stripRelation(f.text))") }
        for d in definitions { lines.append("where \(d)") }
        let mode = generic ? "generic mode over F_p, p = \(prime ?? "?")" : "integer points" + (prime.map { ", prime \($0)" } ?? "")
            + (convolutional == true ? " (convolutional networks are ranked at integer points only, modulo primes)" : "")
        let intervals = summary.intervalNetworks == 0 ? ""
            : summary.intervalNetworks == summary.networks ? " (all by certified intervals)"
            : " (\(summary.intervalNetworks) by certified intervals)"
        lines.append("\(summary.networks) network\(summary.networks == 1 ? "" : "s")\(intervals), "
                     + (summary.intervalNetworks == summary.networks ? "" : "\(mode), ") + "seed \(seed)")
        let failing = cases.filter { c in c.parts.contains { p in p.error != nil || Self.isFailure(p.verdict) } }
        if !failing.isEmpty {
            lines.append("")
            lines.append("failing networks" + (failing.count > show ? " (the first \(show) of \(failing.count))" : "") + ":")
            let width = max(24, (failing.prefix(show).map(\.network.count).max() ?? 0) + 2)
            lines.append(Self.header(formulas, width: width).trimmingCharacters(in: .whitespaces))
            lines += failing.prefix(show).map { Self.row($0, width: width) }
            let errors = failing.prefix(show).flatMap { c in
                c.parts.compactMap { p in
                    p.error.map { "\(FormulaPart(rawValue: p.part)!.symbol) has no value at \(c.network): \($0)" }
                }
            }
            lines += errors
        }
        if !notDrawn.isEmpty {
            lines.append("")
            lines.append("not drawn (not checked):")
            lines += notDrawn.prefix(show).map { "  " + $0 }
        }
        lines.append("")
        lines.append(summaryLine)
        if let c = counterexample {
            lines.append("")
            let steps = c.path.count - 1
            lines.append("smallest counterexample: \(c.minimal.network) (\(steps) shrink step\(steps == 1 ? "" : "s") from \(c.path[0]); \(c.evaluated) networks tried; no single step smaller still fails)")
            lines.append("  " + Self.quantities(c.minimal))
            for p in c.minimal.parts { lines.append("  " + Self.describe(p, formulas)) }
            if let certified = c.certified {
                lines.append("  at integer points (seed \(certified.analysedSeed)), every rank certified over Q:")
                for p in certified.parts { lines.append("    " + Self.describe(p, formulas)) }
                lines.append(c.proven ? "  proven: " + Self.proof(certified, pointRanks: pointRanks)
                    : "  not a proof: a rank below the formula at one point may be a non-generic point; it is evidence only")
            } else if c.minimal.parts.contains(where: { $0.upper != nil }) {
                lines.append(c.proven ? "  proven: " + Self.proof(c.minimal, pointRanks: pointRanks)
                    : "  not a proof: a certified interval below the formula at one point may be a non-generic point; it is evidence only")
            } else {
                lines.append("  (not confirmed at integer points: too large to certify, or every draw sat on a kink)")
            }
            lines.append("  reproduce:   \(c.reproduce)")
            lines.append((c.minimal.parts.contains { $0.upper != nil } ? "  intervals:   " : c.minimal.input != nil ? "  check:       " : "  certificate: ")
                         + c.certify)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var summaryLine: String {
        let s = summary
        var text = (s.passed ? "PASS" : "FAIL") + ": \(s.networks) network\(s.networks == 1 ? "" : "s"), \(s.judged) formula "
            + "value\(s.judged == 1 ? "" : "s"): \(s.equal) equal, "
            + "\(s.withinBound) within a bound, \(s.above) ABOVE ("
            + (pointRanks.map { "the formula reads \($0): each is certain at its point, proofs/conjecture-language.md" } ?? "each refutes for certain")
            + "), "
            + (s.impossible > 0 ? "\(s.impossible) IMPOSSIBLE (a value above p, or N K for H_O: refuted for certain), " : "")
            + "\(s.below) below after "
            + "\(ConjectureCheck.defaultRedraws) redraws "
            + (readsPatchRank == nil
               ? "where the point looks generic, \(s.belowWhereADiagnosticFails) below where a diagnostic fails (no evidence), "
               : "(convolutional networks have no diagnosis of their point), ")
            + (s.undecided > 0 ? "\(s.undecided) undecided (a certified interval contains the value), " : "")
            + "\(s.withoutValue) without a value; \(s.redrawn) redrawn"
            + (s.notDrawn > 0 ? "; \(s.notDrawn) not drawn (not checked)" : "")
        if let bound = s.worstErrorBound {
            text += String(format: "; each rank is a certain lower bound, low with probability <= %.1e ", bound)
                + (generic ? "over the points drawn from the seeds (the bound assumes the seed was chosen at random, independently of the formulas)"
                   : "over the primes drawn by this run")
        }
        return text
    }

    /// The ranks at the point that the formulas read, "rank Omega", "rank G" or both; nil when they read neither.
    var pointRanks: String? {
        switch (readsOmega, readsPatchRank ?? false) {
        case (true, false): "rank Omega"
        case (false, true): "rank G"
        case (true, true): "rank Omega and rank G"
        case (false, false): nil
        }
    }

    /// Why a refutation for certain is one.
    static func proof(_ c: CaseRecord, pointRanks: String?) -> String {
        if let pointRanks, !c.parts.contains(where: { $0.verdict == Verdict.impossible.rawValue }) {
            let set = pointRanks == "rank Omega" ? "{rank Omega = omega}" : pointRanks == "rank G" ? "{rank G = patchrank}"
                : "{rank Omega = omega, rank G = patchrank}"
            return "at this point, the rank exceeds the formula's value at this point's \(pointRanks) (for generic points of "
                + "\(set): on the part of that set around this point, proofs/conjecture-language.md)"
        }
        return c.parts.contains { $0.verdict == Verdict.impossible.rawValue }
            ? "the formula's value exceeds a bound that holds at every point (p, or N K for H_O), so no network of this shape attains it"
            : c.parts.contains { $0.upper != nil }
            ? "the certified interval lies above the formula's value, and no point exceeds the generic rank"
            : "a rank over Q at a point exceeds the formula's value there, and no point exceeds the generic rank"
    }

    static func isFailure(_ verdict: String?) -> Bool {
        verdict.flatMap(Verdict.init(rawValue:))?.isFailure ?? false
    }

    static func stripRelation(_ text: String) -> String {
        var t = Substring(text).drop { $0 == " " }
        for r in ["==", "<=", ">=", "="] where t.hasPrefix(r) {
            t = t.dropFirst(r.count).drop { $0 == " " }
            break
        }
        return String(t)
    }

    static func header(_ formulas: [FormulaRecord], width: Int) -> String {
        Rank.pad("network", width) + Rank.pad("p", 5) + Rank.pad("r", 4) + Rank.pad("r~", 4) + Rank.pad("rank Omega", 11)
            + formulas.map { Rank.pad("\(FormulaPart(rawValue: $0.part)!.symbol) rank/value verdict", 34) }.joined()
    }

    static func row(_ c: CaseRecord, width: Int) -> String {
        let pad = Rank.pad
        var row = pad(c.network, width) + pad(String(c.parameters), 5) + pad(String(c.dataRank), 4)
            + pad(c.augmentedDataRank.map(String.init) ?? "-", 4) + pad(c.residualRank.map(String.init) ?? "-", 11)
        for p in c.parts {
            let verdict = p.verdict.flatMap(Verdict.init(rawValue:))?.short ?? "no value"
            row += pad(pad("\(Self.rankText(p))/\(p.value.map(String.init) ?? "-")", 10) + verdict, 34)
        }
        return row.trimmingCharacters(in: .whitespaces)
    }

    /// "12", or "10..12" for a certified interval.
    static func rankText(_ p: PartRecord) -> String {
        p.upper.map { $0 == p.rank ? "\(p.rank)" : "\(p.rank)..\($0)" } ?? "\(p.rank)"
    }

    static func quantities(_ c: CaseRecord) -> String {
        let hidden = c.widths.dropFirst().dropLast().map(String.init).joined(separator: ",")
        func list(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ",") + "]" }
        var parts: [String] = []
        if let q = c.convolution {
            parts += ["C0=\(q.C0)", "S=\(q.S)", "channels=\(list(q.channels))",
                      "kernel=\(list(q.kernel))", "stride=\(list(q.stride))", "positions=\(list(q.positions))", "kappa=\(list(q.kappa))"]
        }
        parts += ["d=\(c.widths[0])", "hidden=[\(hidden)]", "K=\(c.widths.last!)", "N=\(c.samples)", "L=\(c.widths.count - 1)",
                     "p=\(c.parameters)", "r=\(c.dataRank)"]
        if let rt = c.augmentedDataRank { parts.append("rtilde=\(rt)") }
        if let omega = c.residualRank { parts.append("omega=\(omega)") }
        if let g = c.convolution?.patchrank { parts.append("patchrank=\(g)") }
        return parts.joined(separator: " ")
    }

    static func describe(_ p: PartRecord, _ formulas: [FormulaRecord]) -> String {
        let symbol = FormulaPart(rawValue: p.part)!.symbol
        let relation = formulas.first { $0.part == p.part }?.relation ?? "=="
        guard let value = p.value else { return "\(symbol): rank \(p.rank); the formula has no value: \(p.error ?? "")" }
        let verdict = p.verdict.flatMap(Verdict.init(rawValue:)).map { $0 == .equal ? "equal" : $0.rawValue } ?? ""
        let rank = p.upper.map { $0 == p.rank ? "rank \(p.rank) (certified)" : "rank in [\(p.rank), \($0)] (certified)" } ?? "rank \(p.rank)"
        return "\(symbol): \(rank), formula \(relation) \(value): \(verdict)"
            + (p.exactBy.map { " (exact: it meets the proven bound `\($0)`)" } ?? "")
    }
}
