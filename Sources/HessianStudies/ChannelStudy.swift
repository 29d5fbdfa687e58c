// The channels study of the follow-up paper (Singh, Hofmann & Schoelkopf, ICML 2023, arXiv 2305.09088, Figure 1):
// the rank of a linear CNN's Hessians against the number of channels, which the paper reports grows linearly while
// the number of parameters grows quadratically. Here with exact points: input 1 x 8 x 8, two 3 x 3 convolutions with
// c channels and same padding, a dense layer to K = 10, N = 100 samples (more than the 64 inputs, so that the data
// have full rank d); c = 1, 2, 4, 6, 8. Point i is drawn with seed + i (`ConvolutionalProblem.draw`) and ranked by
// `ConvolutionalAnalysis`: modulo random primes, the three parts from one pass per prime, and a rank that meets a bound
// that holds at the point (p; N K for H_O; the unrolled dense network's, `PointUpperBounds.bounds`) is exact. We could not confirm the paper's closed
// forms (proofs/convolution.md), so none is compared.
import ExactAlgebra
import HessianAnalysis
import HessianConstructions
import NetworkModel
import RankFormulas

public enum ChannelStudy {
    public static let channels = [1, 2, 4, 6, 8]
    public static let samples = 100
    public static let input = TensorShape(channels: 1, spatial: [8, 8])
    public static let outputs = 10

    /// The network of point c.
    public static func architecture(channels c: Int) -> ConvolutionalArchitecture {
        // Valid by construction: 3 x 3 same convolutions keep 8 x 8.
        try! ConvolutionalArchitecture(input: input, layers: [
            .convolution(ConvolutionSpec(outChannels: c, kernel: 3, samePadding: true)),
            .convolution(ConvolutionSpec(outChannels: c, kernel: 3, samePadding: true)),
            .dense(outputs: outputs, bias: false),
        ])
    }

    /// One point: the ranks of H_L, H_O, H_F.
    public struct Record: Sendable, Encodable {
        public let index: Int
        public let channels: Int
        public let layers: String
        public let parameters: Int
        public let samples: Int
        public let seed: String
        /// loss, outer, functional.
        public let ranks: [Int]
        /// Per part, the bound proven at every point the rank meets (then exact), or nil (a proven lower bound).
        public let exactBy: [String?]
        /// The largest probability that a rank fell below the rank over Q; nil when the primes were given.
        public let errorBound: Double?
        public let primes: [String]
        public let seconds: Double

        public init(index: Int, channels: Int, layers: String, parameters: Int, samples: Int, seed: String, ranks: [Int],
                    exactBy: [String?], errorBound: Double?, primes: [String], seconds: Double) {
            (self.index, self.channels, self.layers, self.parameters, self.samples, self.seed) = (index, channels, layers, parameters, samples, seed)
            (self.ranks, self.exactBy, self.errorBound, self.primes, self.seconds) = (ranks, exactBy, errorBound, primes, seconds)
        }
    }

    /// Ranks point `index` (c = channels[index]) at seed + index.
    public static func run(index: Int, seed: UInt64, primes: PrimeChoice) throws -> Record {
        let c = channels[index]
        let clock = ContinuousClock(), start = clock.now
        let architecture = architecture(channels: c)
        let problem = try ConvolutionalProblem.draw(architecture, samples: samples, seed: seed &+ UInt64(index))
        let analysis = try ConvolutionalAnalysis(problem, primes: primes, certify: false)
        return Record(index: index, channels: c, layers: architecture.layersText, parameters: problem.parameterCount,
                      samples: samples, seed: String(seed &+ UInt64(index)), ranks: analysis.parts.map(\.rank),
                      exactBy: analysis.parts.map { $0.exactBy?.statement }, errorBound: analysis.errorBound,
                      primes: analysis.primes.map { String($0) },
                      seconds: (clock.now - start).seconds)
    }
}
