// The model's textual forms on the command line, parsed once into typed values: the hidden activation
// (`--activation relu`, `--activation leaky-relu:1/8`) and the bias (`--bias`, in `NetworkOptions`).
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
