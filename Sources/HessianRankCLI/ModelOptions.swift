// The model's textual forms on the command line, parsed once into typed values: the hidden activation
// (`--activation relu`, `--activation leaky-relu:1/8`) and the bias (`--bias`, in `NetworkOptions`). Every command on
// the exact path (rank, verify, certify, fixtures, sweep) takes `--activation` from `ExactActivationOption`;
// calibrate, on the float path, takes every activation and "all".
import ArgumentParser
import HessianCore

extension Activation: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }

    /// For `@Option(transform:)`: the parse, with the reason a value is refused.
    static func argument(_ text: String) throws -> Activation {
        // ArgumentParser prefixes "The value '...' is invalid for '--activation <name>': ".
        do { return try Activation(parsing: text) } catch { throw ValidationError(error.message) }
    }

    /// What the exact path accepts, for help texts and errors.
    static let exactNames = "linear, relu or leaky-relu[:slope] (e.g. leaky-relu:1/8)"

    /// Refuses an activation without exact Hessians (tanh, sigmoid, elu) for a command on the exact path.
    func requireExact() throws {
        guard isPiecewiseLinear else {
            throw ValidationError("--activation: expected \(Self.exactNames) (exact ranks need a piecewise-linear network); got '\(self)'")
        }
    }
}

/// `--activation` for the exact path: one declaration, one parse; each command refuses what it cannot rank
/// (`requireExact`; `rank`, `sweep` and `fixtures` route tanh, sigmoid and elu to certified intervals).
struct ExactActivationOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Hidden activation: \(Activation.exactNames). relu and leaky-relu are exact away from kinks; a drawn network on a kink is drawn again with seed + k 2^32, files on a kink are refused. rank, sweep and fixtures also take tanh, sigmoid and elu, whose Hessians are transcendental: certified rank intervals (see --loss).", valueName: "name"),
        transform: Activation.argument)
    var activation: Activation = .linear
}
