// `hessian-rank conjecture` on linear CNNs: the grid of --input x --layers templates (ConjectureGrid+Convolution.swift)
// and the engine (ConjectureCheck+Convolution.swift). Expected ranks come from proofs/convolution.md's statements, from
// hand derivations (a kernel covering the whole input is a dense layer), or from certified ranks; never from the
// formula under test.
import HessianCore
import RankFormulas
import Testing

@Suite struct ConvolutionalGridTests {
    static func network(_ input: String, _ layers: String, samples: Int) -> ConvolutionalCase {
        ConvolutionalCase(architecture: try! ConvolutionalArchitecture(input: input, layers: layers), samples: samples)
    }

    @Test func templateExpandsEveryField() throws {
        let template = try LayersTemplate(parsing: "conv:1..3:2..3,dense:1..2")
        let texts = template.expansions.map { $0.map(\.text).joined(separator: ",") }
        #expect(texts.count == 3 * 2 * 2)
        #expect(Array(texts.prefix(5)) == ["conv:1:2,dense:1", "conv:1:2,dense:2", "conv:1:3,dense:1", "conv:1:3,dense:2",
                                           "conv:2:2,dense:1"])
        #expect(texts.last == "conv:3:3,dense:2")
        let strided = try LayersTemplate(parsing: "conv:2:3:s1..2,conv:1:2:same,dense:4")
        #expect(strided.expansions.map { $0.map(\.text).joined(separator: ",") }
                == ["conv:2:3,conv:1:2:same,dense:4", "conv:2:3:s2,conv:1:2:same,dense:4"])
    }

    @Test(arguments: [
        ("conv:1:2:bias,dense:1", "--layers: 'conv:1:2:bias': convolutional grids are bias-free so far; leave out :bias"),
        ("conv:1:2,dense:1:bias", "--layers: 'dense:1:bias': convolutional grids are bias-free so far; leave out :bias"),
        ("conv:1:3:s1..2:same,dense:1", "--layers: 'conv:1:3:s1..2:same': same padding needs stride 1 (as in PyTorch)"),
        ("dense:2,conv:1:2", "--layers: 'conv:1:2' is a convolution after a dense layer; convolutions come first"),
        ("conv:3..1:2", "--layers: 'conv:3..1:2': the number of channels must be a positive integer or a range a..b with 1 <= a <= b; got '3..1'"),
        ("conv:0:2", "--layers: 'conv:0:2': the number of channels must be a positive integer or a range a..b with 1 <= a <= b; got '0'"),
        ("pool:2", "--layers: unknown layer 'pool:2'"),
        ("conv:1..1000:1..1000", "--layers: 'conv:1..1000:1..1000' has more than 100000 expansions"),
    ])
    func badTemplatesAreRefused(_ text: String, _ message: String) {
        let error = #expect(throws: InputError.self) { try LayersTemplate(parsing: text) }
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
    }

    /// 1x4 takes kernels 2, 3 and 4 (one position), not 5; 1x8 takes all four; N = C0 d + 2. The budget leaves out 2x5x5
    /// with 3 channels (p = 3 * 2 * 4 + 3 * 16 = 72 > 60).
    @Test func gridSkipsWhatDoesNotFitAndCountsByHand() throws {
        let grid = try ConvolutionalGrid(inputs: [TensorShape(parsing: "1x4"), TensorShape(parsing: "1x8")],
                                         templates: [LayersTemplate(parsing: "conv:1:2..5,dense:1")])
        // 1x4: k = 2, 3, 4 (k = 5 does not fit); 1x8: k = 2...5. N = C0 d + 2.
        #expect(grid.cases().map(\.description) == [
            "1x4 conv:1:2,dense:1 N=6", "1x4 conv:1:3,dense:1 N=6", "1x4 conv:1:4,dense:1 N=6",
            "1x8 conv:1:2,dense:1 N=10", "1x8 conv:1:3,dense:1 N=10", "1x8 conv:1:4,dense:1 N=10", "1x8 conv:1:5,dense:1 N=10",
        ])
        let budget = try ConvolutionalGrid(inputs: [TensorShape(parsing: "2x5x5")], templates: [LayersTemplate(parsing: "conv:2..3:2,dense:1")],
                                           samples: IntegerSet([3, 5]), maximumParameters: 60)
        // conv:2:2 has p = 2 * 2 * 4 + 2 * 16 = 48; conv:3:2 has 72.
        #expect(budget.cases().map(\.description) == ["2x5x5 conv:2:2,dense:1 N=3", "2x5x5 conv:2:2,dense:1 N=5"])
        // Two templates that expand to one network give it once.
        let twice = try ConvolutionalGrid(inputs: [TensorShape(parsing: "1x6")],
                                          templates: [LayersTemplate(parsing: "conv:1..2:2,dense:1"), LayersTemplate(parsing: "conv:2:2,dense:1")])
        #expect(twice.cases().count == 2)
    }

    @Test func randomCasesAreInTheGridAndSeeded() throws {
        let grid = try ConvolutionalGrid(inputs: [TensorShape(parsing: "1x3"), TensorShape(parsing: "2x6x6")],
                                         templates: [LayersTemplate(parsing: "conv:1..3:2..4:s1..2,dense:1..3")])
        let all = Set(grid.cases())
        let drawn = grid.randomCases(50, seed: 9)
        #expect(drawn.count == 50)
        #expect(drawn.allSatisfy { all.contains($0) })
        #expect(drawn == grid.randomCases(50, seed: 9))
        #expect(drawn != grid.randomCases(50, seed: 10))
    }

    /// The shrink steps of 2x5x5 conv:2:3,dense:2 (N = 52), written out: drop the hidden convolution is not a step
    /// (no convolution would remain), then channels, kernel, input channels, both sides, each side, K, N.
    @Test func shrinkStepsByHand() {
        let steps = Self.network("2x5x5", "conv:2:3,dense:2", samples: 52).shrinkSteps().map(\.description)
        #expect(steps == ["2x5x5 conv:1:3,dense:2 N=52", "2x5x5 conv:2:2,dense:2 N=52", "1x5x5 conv:2:3,dense:2 N=52",
                          "2x4x4 conv:2:3,dense:2 N=52", "2x4x5 conv:2:3,dense:2 N=52", "2x5x4 conv:2:3,dense:2 N=52",
                          "2x5x5 conv:2:3,dense:1 N=52", "2x5x5 conv:2:3,dense:2 N=51"])
        // Two convolutions: either may go (the rest keeps one); a kernel that no longer fits is no step (1x3 with k = 3).
        let deep = Self.network("1x3", "conv:1:3:same,conv:2:3,dense:1", samples: 2).shrinkSteps().map(\.description)
        #expect(deep == ["1x3 conv:2:3,dense:1 N=2", "1x3 conv:1:3:same,dense:1 N=2", "1x3 conv:1:3:same,conv:1:3,dense:1 N=2",
                         "1x3 conv:1:2:same,conv:2:3,dense:1 N=2", "1x3 conv:1:3:same,conv:2:2,dense:1 N=2",
                         "1x3 conv:1:3:same,conv:2:3,dense:1 N=1"])
    }
}

@Suite struct ConvolutionalConjectureCheckTests {
    let prime = SeededPrime.prime(15)

    func checker(_ texts: [FormulaPart: String]) throws -> ConjectureCheck {
        let conjecture = Conjecture(name: "test", formulas: try texts.mapValues { try Formula(parsing: $0, for: .convolutional) })
        return ConjectureCheck(conjecture: conjecture, options: RankOptions(primes: .given([prime])))
    }

    /// One hidden convolution then a dense head, 1-D and 2-D, one and two input channels, stride 1 and 2, valid and same
    /// padding: 64 networks, N = C0 d + 2.
    func oneConvolutionGrid() throws -> [ConvolutionalCase] {
        try ConvolutionalGrid(inputs: ["1x6", "2x5", "1x4x4", "2x4x4"].map { try TensorShape(parsing: $0) },
                              templates: ["conv:1..3:2..3,dense:1..2", "conv:2:3:same,dense:1..2", "conv:2:2:s2,dense:1..2"]
                                .map { try LayersTemplate(parsing: $0) }).cases()
    }

    /// The two statements of proofs/convolution.md, written as a user would: rank H_F = 2 m rank G (an identity at every
    /// point: equal everywhere, and exact since it meets `conv-functional`), and rank H_O <= min(K r, q (K d' + kappa -
    /// q)) with q written out (never above).
    @Test func provenStatementsPass() throws {
        let check = try checker([
            .functional: "2*channels[1]*patchrank",
            .outer: "<= let qc = min(channels[1], K*positions[1], kappa[1]) in min(K*r, qc*(K*positions[1] + kappa[1] - qc))",
        ])
        let cases = try oneConvolutionGrid()
        #expect(cases.count == 64)
        for (i, c) in cases.enumerated() {
            let result = try check.check(c, seed: 40 + UInt64(i))
            #expect(!result.failed && !result.hasError, "\(c)")
            let functional = try #require(result.judgements.first { $0.part == .functional })
            #expect(functional.verdict == .equal && functional.exactBy?.statement == "conv-functional", "\(c)")
            #expect(result.seeds.count == 1)
        }
    }

    /// K d' + k claimed for H_O. The minimal network: 1x1 conv:1:1,dense:1, N = 1, where the value 1 * 1 + 1 = 2
    /// exceeds N K = 1, which no point exceeds (IMPOSSIBLE); it has no smaller network (every size is 1, and dropping the
    /// convolution leaves none). Its certified rank is 1: f = W2 w x, whose Jacobian (W2 x, w x) is nonzero.
    @Test func wrongFormulaIsRefutedAndShrunk() throws {
        let check = try checker([.outer: "K*positions[1] + kernel[1]"])
        let cases = try ConvolutionalGrid(inputs: [TensorShape(parsing: "1x8")],
                                          templates: [LayersTemplate(parsing: "conv:1..3:2..3,dense:1..2")]).cases()
        let failure = try #require(try cases.enumerated().lazy.map { try check.check($1, seed: 1 + UInt64($0)) }.first { $0.failed })
        let shrunk = check.shrink(failure)
        #expect(shrunk.minimal.network == ConvolutionalGridTests.network("1x1", "conv:1:1,dense:1", samples: 1))
        #expect(shrunk.minimal.network.shrinkSteps().isEmpty)
        #expect(shrunk.minimal.judgements[0].verdict == .impossible && shrunk.minimal.judgements[0].value == 2)
        for (smaller, larger) in zip(shrunk.path.dropFirst(), shrunk.path) { #expect(larger.shrinkSteps().contains(smaller)) }
        let confirmed = try #require(check.confirm(shrunk.minimal))
        #expect(confirmed.certified && confirmed.judgements[0].rank == 1 && confirmed.refutedForCertain)
    }

    /// A bound that forgets q: <= K d' + kappa - 1 (conv-outer's value at q = 1). The minimal network is 1x2
    /// conv:2:2,dense:2 with N = 2: the kernel covers the input, so it is the dense network 2,2,2, whose rank H_O is
    /// q (r + K - q) = 2 (2 + 2 - 2) = 4 (statements/outer.md) against 2 * 1 + 2 - 1 = 3: ABOVE, proven. Each step
    /// smaller holds: one channel (dense 2,1,2: 3 <= 3), kernel 1 (value 4 = N K), K = 1 (dense 2,2,1: 2 <= 2),
    /// N = 1 (r = 1: 2 <= 3); the input cannot shrink (the kernel would not fit).
    @Test func violatedBoundIsShrunkToAMinimalConvolutionalNetwork() throws {
        let check = try checker([.outer: "<= K*positions[1] + kappa[1] - 1"])
        let cases = try ConvolutionalGrid(inputs: [TensorShape(parsing: "1x8")],
                                          templates: [LayersTemplate(parsing: "conv:1..3:2..3,dense:1..2")]).cases()
        let failure = try #require(try cases.enumerated().lazy.map { try check.check($1, seed: 1 + UInt64($0)) }.first { $0.failed })
        #expect(failure.refutedForCertain)
        let shrunk = check.shrink(failure)
        #expect(shrunk.minimal.network == ConvolutionalGridTests.network("1x2", "conv:2:2,dense:2", samples: 2))
        #expect((shrunk.minimal.judgements[0].rank, shrunk.minimal.judgements[0].value, shrunk.minimal.judgements[0].verdict) == (4, 3, .above))
        let steps = shrunk.minimal.network.shrinkSteps()
        #expect(steps.map(\.description) == ["1x2 conv:1:2,dense:2 N=2", "1x2 conv:2:1,dense:2 N=2", "1x2 conv:2:2,dense:1 N=2",
                                             "1x2 conv:2:2,dense:2 N=1"])
        for smaller in steps {
            #expect(!(try check.check(smaller, seed: failure.seeds[0]).failed), "\(smaller) still fails")
        }
        let confirmed = try #require(check.confirm(shrunk.minimal))
        #expect(confirmed.certified && confirmed.judgements[0].rank == 4 && confirmed.judgements[0].verdict == .above)
    }

    /// A name the network does not have is an error there, not a verdict: patchrank beyond one hidden convolution.
    @Test func patchRankHasNoValueBeyondOneConvolution() throws {
        let result = try checker([.functional: "2*channels[1]*patchrank"])
            .check(ConvolutionalGridTests.network("1x8", "conv:1:2,conv:1:2,dense:1", samples: 10), seed: 3)
        #expect(result.hasError && !result.failed)
        #expect(result.quantities.convolution?.patchResidualRank == nil)
    }
}
