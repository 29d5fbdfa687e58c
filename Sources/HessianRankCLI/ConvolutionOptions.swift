// `--input` and `--layers`: a linear convolutional network on the command line (`ConvolutionalArchitecture`), for the
// commands that take one besides dense networks.
import ArgumentParser
import HessianCore

struct ConvolutionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A convolutional network's input shape, channels x length or channels x height x width, e.g. 1x8x8; with --layers.",
        valueName: "CxHxW"))
    var input: String?

    @Option(name: .long, help: ArgumentHelp(
        "A linear convolutional network under mse (drawn from --seed, or at your values with rank --weights): conv:C:k[:sS][:same|valid][:bias] layers, then dense:K[:bias], comma-separated, e.g. conv:4:3:same,conv:4:3:same,dense:10; parameters in PyTorch's order (proofs/convolution.md).",
        valueName: "layers"))
    var layers: String?

    /// Whether either option is given.
    var given: Bool { input != nil || layers != nil }

    /// The network of --input and --layers (`--bias` gives every layer a bias), refused with the parser's message.
    func architecture(bias: Bool) throws -> ConvolutionalArchitecture {
        guard let input, let layers else {
            throw ValidationError("--layers and --input go together, e.g. --input 1x8x8 --layers conv:4:3:same,dense:10")
        }
        do { return try ConvolutionalArchitecture(input: input, layers: layers, bias: bias) } catch {
            throw ValidationError(error.message)
        }
    }
}
