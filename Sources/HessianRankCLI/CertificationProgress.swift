// Progress of `--certify` on stderr. A certification can take minutes (thousands of primes per part), so every ten
// seconds one line says where each part stands: primes ranked, the estimate of primes needed, and the rank so far.
import ExactAlgebra
import HessianCore
import Synchronization

final class CertificationReporter: Sendable {
    struct State {
        var parts: [HessianPart: CertifiedRank.Progress] = [:]
        var last = ContinuousClock.now
    }

    let label: String
    let interval: Duration
    private let state = Mutex(State())

    init(label: String, interval: Duration = .seconds(10)) {
        self.label = label
        self.interval = interval
    }

    /// Records a part's progress; writes the line when `interval` has passed since the last one (or the start).
    func report(_ part: HessianPart, _ progress: CertifiedRank.Progress) {
        let line: String? = state.withLock { state in
            state.parts[part] = progress
            let now = ContinuousClock.now
            guard now - state.last >= interval else { return nil }
            state.last = now
            let parts = HessianPart.allCases.compactMap { part in
                state.parts[part].map { "\(part.symbol) \($0.primesUsed) of about \($0.primesNeeded) primes (rank \($0.rank))" }
            }
            return "\(label): " + parts.joined(separator: ", ")
        }
        if let line { StandardError.write(line + "\n") }
    }
}
