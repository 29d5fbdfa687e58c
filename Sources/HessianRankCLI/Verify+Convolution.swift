// `verify --conv`: the statements about one hidden convolution (proofs/convolution.md: `conv-functional`, an identity;
// `conv-outer`, a bound with equality observed for 1-D convolutions; their `sum` for H_L) on the built-in grid of
// linear CNNs (`ConvolutionVerification`).
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore
import RankFormulas

extension Verify {
    struct ConvolutionPartReport: Encodable {
        let part: String
        let rank: Int
        let statement: String
        let value: Int
        let equalityClaimed: Bool
        let verdict: String
        /// Exact over Q: certified, or meeting a bound proven at every point.
        let exact: Bool
        let method: String
        let errorBound: Double?
        /// The primes of a rank modulo primes (replay with --prime); none for a certified rank.
        let primes: [String]
    }

    struct ConvolutionCaseReport: Encodable {
        let input: String
        let layers: String
        let samples: Int
        let parameters: Int
        /// The seeds tried, in order (a 1-D shortfall in H_O is redrawn); the ranks are those of the last.
        let seeds: [String]
        let observationApplies: Bool
        let channels: Int
        let filterEntries: Int
        let positions: Int
        let dataRank: Int
        let patchResidualRank: Int
        let patchResidualMaximum: Int
        let parts: [ConvolutionPartReport]
    }

    struct ConvolutionSummary: Encodable {
        let networks: Int
        /// H_F = 2 m rank G, per network.
        let functionalIdentityHolds: Int
        /// rank G = min(K d', kappa) (observed at generic points).
        let patchResidualFull: Int
        /// The 1-D networks, where equality in `conv-outer` is claimed (observed), and those meeting it.
        let observationNetworks: Int
        let observationEqual: Int
        /// The other networks' H_O: equal to the bound, or within it.
        let outerEqualElsewhere: Int
        let outerWithinElsewhere: Int
        let lossEqual: Int
        let lossWithin: Int
        let failures: Int
        let counterexamples: Int
        let redrawn: Int
        let exactRanks: Int
        let worstErrorBound: Double?
        let certified: Bool
        let passed: Bool
    }

    struct ConvolutionReport: Encodable {
        let formatVersion = 1
        let kind = "convolutional"
        let seed: String
        let cases: [ConvolutionCaseReport]
        let summary: ConvolutionSummary
    }

    func validateConvolution() throws {
        guard (try? Loss(parsing: loss)) == .mse else {
            throw ValidationError("--conv: the convolutional statements are about mse; leave out --loss")
        }
        guard !rankOptions.generic else {
            throw ValidationError("--conv: ranks are at integer points (modulo random primes or --certify); leave out --field")
        }
    }

    func runConvolution() throws {
        let cases = ConvolutionVerification.cases(seed: UInt64(seed)!)
        var progress = Progress("verify", total: cases.count)
        var results: [ConvolutionVerification.Result] = []
        for (n, c) in cases.enumerated() {
            progress.update(n, "input \(c.architecture.input), layers \(c.architecture.layersText)")
            do {
                results.append(try ConvolutionVerification.check(c, primes: rankOptions.primeChoice, certify: rankOptions.certify,
                                                                 redraws: Self.redraws))
            } catch {
                throw CommandFailure(message: "input \(c.architecture.input), layers \(c.architecture.layersText): \(error)")
            }
        }
        progress.update(cases.count)
        progress.finish()
        let summary = Self.convolutionSummary(results)
        if json {
            let report = ConvolutionReport(seed: seed, cases: results.map(Self.caseReport), summary: summary)
            print(String(decoding: try AnalysisReport.encoder().encode(report), as: UTF8.self))
        } else {
            print(Self.convolutionTable(results), terminator: "")
            print(Self.convolutionSummaryLine(summary))
        }
        if !summary.passed { throw CommandFailure.checkFailed }
    }

    static func caseReport(_ r: ConvolutionVerification.Result) -> ConvolutionCaseReport {
        let a = r.verificationCase.architecture
        return ConvolutionCaseReport(
            input: a.input.description, layers: a.layersText, samples: r.verificationCase.samples,
            parameters: a.parameterCount, seeds: r.seeds.map { String($0) },
            observationApplies: r.verificationCase.observationApplies, channels: r.bounds.channels,
            filterEntries: r.bounds.filterEntries, positions: r.bounds.positions, dataRank: r.dataRank,
            patchResidualRank: r.patchResidualRank, patchResidualMaximum: r.patchResidualMaximum,
            parts: r.parts.map { p in
                ConvolutionPartReport(part: p.part.rawValue, rank: p.rank, statement: p.statement, value: p.value,
                                      equalityClaimed: p.equalityClaimed, verdict: p.outcome.rawValue, exact: p.exact,
                                      method: p.result.method.rawValue, errorBound: p.result.errorBound,
                                      primes: p.result.certified ? [] : p.result.primes.map { String($0) })
            })
    }

    static func convolutionSummary(_ results: [ConvolutionVerification.Result]) -> ConvolutionSummary {
        func parts(_ part: HessianPart, observation: Bool? = nil) -> [ConvolutionVerification.Part] {
            results.filter { observation == nil || $0.verificationCase.observationApplies == observation! }
                .flatMap { $0.parts.filter { $0.part == part } }
        }
        let all = results.flatMap(\.parts)
        return ConvolutionSummary(
            networks: results.count,
            functionalIdentityHolds: parts(.functional).filter { $0.outcome == .equal }.count,
            patchResidualFull: results.filter { $0.patchResidualRank == $0.patchResidualMaximum }.count,
            observationNetworks: results.filter(\.verificationCase.observationApplies).count,
            observationEqual: parts(.outer, observation: true).filter { $0.outcome == .equal }.count,
            outerEqualElsewhere: parts(.outer, observation: false).filter { $0.outcome == .equal }.count,
            outerWithinElsewhere: parts(.outer, observation: false).filter { $0.outcome == .within }.count,
            lossEqual: parts(.loss).filter { $0.outcome == .equal }.count,
            lossWithin: parts(.loss).filter { $0.outcome == .within }.count,
            failures: all.filter { $0.outcome == .below }.count,
            counterexamples: all.filter { $0.outcome == .above }.count,
            redrawn: results.filter(\.redrawn).count,
            exactRanks: all.filter(\.exact).count,
            worstErrorBound: RankResult.worstBound(all.filter { !$0.exact }.map(\.result.errorBound)),
            certified: all.allSatisfy(\.result.certified),
            passed: !all.contains { $0.outcome.fails })
    }

    static func convolutionTable(_ results: [ConvolutionVerification.Result]) -> String {
        let pad = Rank.pad
        var lines = [pad("input", 7) + pad("layers", 23) + pad("N", 4) + pad("p", 5) + pad("r", 4) + pad("rk G", 6)
                     + [HessianPart.outer, .functional, .loss].map { pad("\($0.symbol) rank/statement verdict", 30) }.joined()]
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for r in results {
            let a = r.verificationCase.architecture
            var row = pad(a.input.description, 7) + pad(a.layersText, 23) + pad(String(r.verificationCase.samples), 4)
                + pad(String(a.parameterCount), 5) + pad(String(r.dataRank), 4) + pad(String(r.patchResidualRank), 6)
            for part in [HessianPart.outer, .functional, .loss] {
                let p = r.parts.first { $0.part == part }!
                let relation = p.equalityClaimed ? "=" : "<="
                row += pad(pad("\(p.rank)/\(relation)\(p.value)", 11) + p.outcome.rawValue + (p.exact ? ", exact" : ""), 30)
            }
            lines.append(row.trimmingCharacters(in: .whitespaces))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func convolutionSummaryLine(_ s: ConvolutionSummary) -> String {
        let how: String
        if s.certified {
            how = "every rank certified"
        } else if s.exactRanks == 3 * s.networks {
            how = "all \(3 * s.networks) ranks exact: each meets a bound proven at every point, whatever the primes"
        } else {
            how = "\(s.exactRanks) of \(3 * s.networks) ranks exact (each meets a bound proven at every point); each other is a proven lower bound, "
                + String(format: "low with probability <= %.1e over this run's primes", s.worstErrorBound ?? 1)
        }
        return "\(s.passed ? "PASS" : "FAIL"): \(s.networks) convolutional networks, \(3 * s.networks) ranks. "
            + "H_F = 2 m rank G (conv-functional, proved) on \(s.functionalIdentityHolds) of \(s.networks), rank G full on \(s.patchResidualFull); "
            + "H_O = conv-outer on \(s.observationEqual) of \(s.observationNetworks) 1-D valid networks (equality observed), "
            + "elsewhere \(s.outerEqualElsewhere) equal and \(s.outerWithinElsewhere) within the bound (equality not claimed); "
            + "H_L: \(s.lossEqual) equal to the sum, \(s.lossWithin) within; \(s.failures) below a claimed value, "
            + "\(s.counterexamples) above a proven bound; \(s.redrawn) redrawn; \(how)"
    }
}
