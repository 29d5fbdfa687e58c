// The upper bound a certificate names instead of a span witness (witness method "nonzero-minor-and-proven-bound"):
// a statement proved in proofs/ or cited from the paper that bounds the part's rank at every point
// (proofs/upper-bounds.md). The checker recomputes the bound from the network alone: the closed forms come from the
// formula module (RankFormulas, which imports nothing), read with the ranks of the data and of the residual
// covariance that the checker finds itself (`SmallExactRank`, on inputs it read and rebuilt). A statement is accepted
// only if it is one of the bounds the formula module gives for this network and part (so never an observation or a
// conjecture: those are not among them), and only if its value equals the claimed rank.
import HessianReference
import RankFormulas

enum StatementBound {
    typealias Failure = CertificateCheck.Failure

    static let method = "nonzero-minor-and-proven-bound"

    /// The bound named `statement` for `part` of `network`, or a failure saying why it is not accepted.
    static func check(_ statement: String, part: String, rank: Int, network: ReferenceNetwork,
                      activation: ReferenceActivation) throws(Failure) -> UpperBound {
        let bounds = try self.bounds(network, activation: activation, needsRanks: !StructuralBounds.statements.contains(statement))
        guard let candidates = bounds.bounds(forPart: part) else { throw Failure("unknown Hessian part \"\(part)\"") }
        guard let bound = candidates.first(where: { $0.statement == statement }) else {
            let accepted = candidates.map { "`\($0.statement)`" }.joined(separator: ", ")
            throw Failure("\(part): the certificate names `\(statement)`, which is not a proven upper bound on this part "
                + "for this network (proven bounds here: \(accepted)); observations and conjectures never bound a rank")
        }
        guard bound.value == rank else {
            throw Failure("\(part): the bound `\(statement)` is \(bound.value) for this network and data, not the claimed "
                + "rank \(rank)")
        }
        return bound
    }

    /// The bounds of every part of `network`. The ranks of the data and Omega are computed only for the closed forms
    /// (`needsRanks`); the structural bounds need only the shapes.
    static func bounds(_ network: ReferenceNetwork, activation: ReferenceActivation,
                       needsRanks: Bool) throws(Failure) -> PartUpperBounds {
        let p = network.parameterCount, samples = network.samples.count, outputs = network.widths[network.depth]
        let structural = PartUpperBounds.structural(parameters: p, samples: samples, outputs: outputs)
        guard needsRanks, activation == .linear else { return structural }
        let omega: [[Int128]]
        do { omega = try network.linearResidualCovariance() } catch {
            throw Failure("cannot compute the residual covariance Omega: \(error)")
        }
        let omegaRank = try exactRank(omega, columnCount: omega.first?.count ?? 0, name: "Omega")
        if network.hasBias {
            let augmented = network.samples.map { $0 + [1] }
            let augmentedRank = try exactRank(augmented, columnCount: network.widths[0] + 1, name: "[X, 1]")
            return .biasNetwork(widths: network.widths, parameters: p, samples: samples,
                                augmentedDataRank: augmentedRank, augmentedResidualRank: omegaRank)
        }
        let dataRank = try exactRank(network.samples, columnCount: network.widths[0], name: "X")
        return .linear(LinearNetworkFormulas(widths: network.widths, dataRank: dataRank), samples: samples,
                       residualRank: omegaRank)
    }

    static func exactRank(_ rows: [[Int128]], columnCount: Int, name: String) throws(Failure) -> Int {
        guard let rank = SmallExactRank.rank(rows, columnCount: columnCount) else {
            throw Failure("cannot decide the exact rank of \(name): every prime of the checker's list was unlucky")
        }
        return rank
    }
}
