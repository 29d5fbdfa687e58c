import HessianCore
import Testing

/// The one text form of an activation: slopes in lowest terms, read exactly from fractions and decimals, and every
/// bad value refused with a message (never a trap, Int.min included).
@Suite struct ActivationParsingTests {
    @Test(arguments: [("leaky-relu:1/8", 1, 8), ("leaky-relu:0.125", 1, 8), ("leaky-relu:-1/-8", 1, 8),
                      ("LEAKY-RELU:2/16", 1, 8), ("leaky-relu:131072/-262144", -1, 2), ("leaky-relu:0/-3", 0, 1),
                      ("leaky-relu:-.5", -1, 2), ("leaky-relu:3", 3, 1), ("leaky-relu", 1, 100)])
    func slopesInLowestTerms(_ text: String, _ numerator: Int, _ denominator: Int) throws {
        let activation = try Activation(parsing: text)
        #expect(activation == .leakyReLU(try Slope(numerator, denominator)))
        guard case .leakyReLU(let slope) = activation else { return }
        #expect((slope.numerator, slope.denominator) == (numerator, denominator))
        #expect(Activation(rawValue: activation.rawValue) == activation, "the canonical text parses back")
    }

    @Test(arguments: [
        ("leaky-relu:-9223372036854775808/-1", "the slope 9223372036854775808/1 has a numerator or denominator above 2^16"),
        ("leaky-relu:1/-9223372036854775808", "the slope -1/9223372036854775808 has a numerator or denominator above 2^16"),
        ("leaky-relu:-9223372036854775808/-9223372036854775808", "leaky-relu with slope 1 is the identity"),
        ("leaky-relu:65536/65537", "above 2^16"),
        ("leaky-relu:1/0", "a slope's denominator must not be 0"),
        ("leaky-relu:0.0000000000001", "a decimal of at most 12 digits"),
        ("leaky-relu:1e-3", "'1e-3' is not a slope"),
        ("leaky-relu:", "'' is not a slope"),
        ("leaky-relu:2/2", "leaky-relu with slope 1 is the identity; use the activation linear"),
        ("softplus", "unknown activation 'softplus'"),
    ])
    func badValuesAreRefused(_ text: String, _ message: String) {
        #expect(throws: InputError.self) { try Activation(parsing: text) }
        do { _ = try Activation(parsing: text) } catch { #expect(error.message.contains(message), "\(error.message)") }
    }

    /// Which activations the exact path takes, and their integer slopes (b sigma with slope a/b: (b, a)).
    @Test func exactPathAndIntegerSlopes() throws {
        #expect(Activation.linear.integerSlopes! == (1, 1) && Activation.relu.integerSlopes! == (1, 0))
        #expect(try Activation(parsing: "leaky-relu:-2/3").integerSlopes! == (3, -2))
        #expect([Activation.tanh, .sigmoid, .elu].allSatisfy { !$0.isPiecewiseLinear && $0.integerSlopes == nil })
        #expect(!Activation.linear.hasKinks && Activation.relu.hasKinks)
    }
}
