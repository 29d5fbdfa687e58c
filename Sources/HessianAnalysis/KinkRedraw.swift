// One rule for a drawn network that sits on a kink, where it has no Hessian (a ReLU pre-activation exactly 0; an elu
// one not proven nonzero, where sigma'' jumps: `LossIntervals.Kink`): draw again with seed + k 2^32,
// k = 1, 2, ..., up to `attempts` draws in all. Shifting the seed by multiples of 2^32 keeps the redraws apart from the
// neighbouring seeds that grids and studies use for their other points (seed + i, i small). A drawn network is the
// tool's choice, so a kink is the tool's problem, not the user's; only a network the user gave (files) is refused on
// a kink.
import HessianConstructions
import NetworkModel

public enum KinkRedraw {
    /// Draws tried before giving up. With values in -16...16 a draw of a network with thousands of pre-activations
    /// sits on a kink with probability near 1/2 or more (seeds 2 ... 5 of 64,16,16,10 with N = 100 needed up to 9
    /// draws), so a budget of 64 makes giving up unlikely; a failed draw costs at most one pass over the samples, no rank.
    public static let attempts = 64

    /// The seed of the k-th draw (k = 0 is the seed itself).
    public static func seed(_ seed: UInt64, attempt k: Int) -> UInt64 { seed &+ UInt64(k) << 32 }

    /// `body` at the first seed whose draw is off every kink, with that seed. `body` signals a kink by throwing
    /// `PiecewiseLinearHessian.Kink`, `AnalysisFailure.kink` or `LossIntervals.Kink`; any other error passes through at
    /// once. When every draw sits on a kink, throws an `InputError` naming `what` and the last kink.
    public static func first<Value>(seed: UInt64, attempts: Int = attempts, what: String,
                                    _ body: (UInt64) throws -> Value) throws -> (seed: UInt64, value: Value) {
        var last = "", place = "on a ReLU kink"
        for k in 0..<attempts {
            let drawSeed = Self.seed(seed, attempt: k)
            do {
                return (drawSeed, try body(drawSeed))
            } catch let kink as PiecewiseLinearHessian.Kink {
                last = kink.description
            } catch let failure as AnalysisFailure {
                guard case .kink(let kink) = failure else { throw failure }
                last = kink.description
            } catch let kink as LossIntervals.Kink {
                (last, place) = (kink.description, "where the activation has no second derivative")
            }
        }
        throw InputError("\(what): every one of \(attempts) draws (seed + k 2^32, k = 0 ... \(attempts - 1)) sat \(place); last: \(last)")
    }

    /// How a drawn network is named when every draw sat on a kink: "6,4,3 with bias, N = 9".
    public static func describe(_ architecture: Architecture, samples: Int) -> String {
        "\(architecture.summary), N = \(samples)"
    }
}
