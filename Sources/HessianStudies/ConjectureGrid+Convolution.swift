// The grid of linear convolutional networks `hessian-rank conjecture --input ... --layers ...` checks formulas on, and
// the shrink steps that take a convolutional counterexample down to a smallest one.
//
// A grid is every input shape times every expansion of every layers template (the `--layers` syntax with integer
// fields that may be ranges a..b, e.g. conv:1..3:2..3,dense:1..2) that is a valid network (a kernel that does not fit
// its input is left out) with at most `maximumParameters` parameters, times every sample count (by default C0 d + 2,
// full-rank data with two samples to spare). Linear, mse, bias-free networks only, drawn at integer points.
import ExactAlgebra
import NetworkModel
import RankFormulas

/// One convolutional network of a grid: the architecture (bias-free) and the number of samples.
public struct ConvolutionalCase: Sendable, Hashable, CustomStringConvertible {
    public let architecture: ConvolutionalArchitecture
    public let samples: Int

    public init(architecture: ConvolutionalArchitecture, samples: Int) {
        precondition(samples >= 1 && !architecture.hasBias, "ConvolutionalCase: at least one sample, no bias")
        self.architecture = architecture
        self.samples = samples
    }

    // The shapes follow from the input and the layers.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(architecture.input)
        hasher.combine(architecture.layers)
        hasher.combine(samples)
    }

    /// "1x8 conv:2:3,dense:1 N=10".
    public var description: String { "\(architecture.input) \(architecture.layersText) N=\(samples)" }

    /// The options that select exactly this network on the conjecture (and rank) command line.
    public var commandLineOptions: [String] {
        ["--input", architecture.input.description, "--layers", architecture.layersText, "--samples", String(samples)]
    }

    /// Every valid network one step smaller, biggest reductions first: drop a hidden layer (first to last, where the
    /// rest is a valid network with a convolution: the output layer stays, as in `GridCase.shrinkSteps`, and a
    /// convolutional counterexample stays convolutional); one channel fewer in a hidden layer; a convolution's kernel
    /// - 1; one input channel fewer; the spatial input one smaller (2-D: both sides, then each side); one output
    /// fewer (the last layer's channels: K for a dense head); N - 1. A step whose kernel no longer fits is left out.
    /// Every step lowers the depth, or keeps it and lowers a positive size, so that shrinking ends. No duplicates,
    /// never the case itself.
    public func shrinkSteps() -> [ConvolutionalCase] {
        let a = architecture, layers = a.layers
        var steps: [ConvolutionalCase] = [], seen: Set<ConvolutionalCase> = [self]
        func add(input: TensorShape? = nil, layers newLayers: [LayerSpec]? = nil, samples newSamples: Int? = nil) {
            guard let shape = try? ConvolutionalArchitecture(input: input ?? a.input, layers: newLayers ?? layers) else { return }
            let step = ConvolutionalCase(architecture: shape, samples: newSamples ?? samples)
            if seen.insert(step).inserted { steps.append(step) }
        }
        func replacing(_ t: Int, _ layer: LayerSpec) -> [LayerSpec] {
            var result = layers
            result[t] = layer
            return result
        }
        func fewerChannels(_ t: Int) {
            switch layers[t] {
            case .convolution(let c) where c.outChannels >= 2:
                add(layers: replacing(t, .convolution(ConvolutionSpec(outChannels: c.outChannels - 1, kernel: c.kernel, stride: c.stride,
                                                                      samePadding: c.samePadding, bias: c.bias))))
            case .dense(let outputs, let bias) where outputs >= 2:
                add(layers: replacing(t, .dense(outputs: outputs - 1, bias: bias)))
            default:
                break
            }
        }
        if layers.count >= 2 {
            for t in layers.indices.dropLast() {
                let rest = layers.enumerated().filter { $0.offset != t }.map(\.element)
                if rest.contains(where: { if case .convolution = $0 { true } else { false } }) { add(layers: rest) }
            }
        }
        for t in layers.indices.dropLast() { fewerChannels(t) }
        for (t, layer) in layers.enumerated() {
            if case .convolution(let c) = layer, c.kernel >= 2 {
                add(layers: replacing(t, .convolution(ConvolutionSpec(outChannels: c.outChannels, kernel: c.kernel - 1, stride: c.stride,
                                                                      samePadding: c.samePadding, bias: c.bias))))
            }
        }
        let input = a.input
        if input.channels >= 2 { add(input: TensorShape(channels: input.channels - 1, spatial: input.spatial)) }
        if input.spatial.count == 2 && input.spatial.allSatisfy({ $0 >= 2 }) {
            add(input: TensorShape(channels: input.channels, spatial: input.spatial.map { $0 - 1 }))
        }
        for axis in input.spatial.indices where input.spatial[axis] >= 2 {
            var spatial = input.spatial
            spatial[axis] -= 1
            add(input: TensorShape(channels: input.channels, spatial: spatial))
        }
        fewerChannels(layers.count - 1)
        if samples >= 2 { add(samples: samples - 1) }
        return steps
    }
}

/// A `--layers` template: the layers syntax (conv:C:k[:sS][:same|valid], dense:K) with every integer field a value or
/// a range a..b. Its expansions are every choice of one value per field, the last field varying fastest.
public struct LayersTemplate: Sendable, Equatable, CustomStringConvertible {
    /// One layer: a convolution (channels, kernel, stride) or a dense layer (outputs), each field a range.
    public struct Layer: Sendable, Equatable {
        public let convolution: Bool
        public let samePadding: Bool
        /// Channels of a convolution, outputs of a dense layer.
        public let outputs: ClosedRange<Int>
        public let kernel: ClosedRange<Int>
        public let stride: ClosedRange<Int>
    }

    public let text: String
    public let layers: [Layer]

    /// At most this many expansions per template (more is a typo such as 1..100000).
    public static let maximumExpansions = 100_000

    public init(parsing text: String) throws(InputError) {
        let usage = "conv:C:k[:sS][:same|valid] or dense:K, comma-separated, each integer a value or a range a..b, e.g. conv:1..3:2..3,dense:1..2"
        var layers: [Layer] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let fields = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            func range(_ field: String, _ what: String) throws(InputError) -> ClosedRange<Int> {
                let ends = field.components(separatedBy: "..")
                guard ends.count <= 2, let first = Int(ends[0]), let last = Int(ends[ends.count - 1]), first >= 1, first <= last else {
                    throw InputError("--layers: '\(item)': \(what) must be a positive integer or a range a..b with 1 <= a <= b; got '\(field)' (\(usage))")
                }
                return first...last
            }
            switch fields[0] {
            case "conv":
                guard fields.count >= 3 else { throw InputError("--layers: '\(item)' needs channels and a kernel size (\(usage))") }
                let channels = try range(fields[1], "the number of channels"), kernel = try range(fields[2], "the kernel size")
                var stride = 1...1, same = false
                for option in fields.dropFirst(3) {
                    switch option {
                    case "same": same = true
                    case "valid": same = false
                    case "bias":
                        throw InputError("--layers: '\(item)': convolutional grids are bias-free so far; leave out :bias")
                    case _ where option.hasPrefix("s"): stride = try range(String(option.dropFirst()), "the stride")
                    default: throw InputError("--layers: '\(item)': unknown option '\(option)' (\(usage))")
                    }
                }
                guard !same || stride == 1...1 else {
                    throw InputError("--layers: '\(item)': same padding needs stride 1 (as in PyTorch)")
                }
                guard !layers.contains(where: { !$0.convolution }) else {
                    throw InputError("--layers: '\(item)' is a convolution after a dense layer; convolutions come first")
                }
                layers.append(Layer(convolution: true, samePadding: same, outputs: channels, kernel: kernel, stride: stride))
            case "dense":
                if fields.count == 3 && fields[2] == "bias" {
                    throw InputError("--layers: '\(item)': convolutional grids are bias-free so far; leave out :bias")
                }
                guard fields.count == 2 else { throw InputError("--layers: '\(item)' (\(usage))") }
                layers.append(Layer(convolution: false, samePadding: false, outputs: try range(fields[1], "the number of outputs"),
                                    kernel: 0...0, stride: 0...0))
            default:
                throw InputError("--layers: unknown layer '\(item)' (\(usage))")
            }
        }
        var count = 1
        for layer in layers {
            for r in [layer.outputs, layer.kernel, layer.stride] {
                let (product, overflow) = count.multipliedReportingOverflow(by: r.count)
                guard !overflow, product <= Self.maximumExpansions else {
                    throw InputError("--layers: '\(text)' has more than \(Self.maximumExpansions) expansions")
                }
                count = product
            }
        }
        self.text = text
        self.layers = layers
    }

    public var description: String { text }

    /// Every expansion, in order (the first layer's channels vary slowest, the last field fastest).
    public var expansions: [[LayerSpec]] {
        var result: [[LayerSpec]] = [[]]
        for layer in layers {
            result = result.flatMap { prefix in
                layer.outputs.flatMap { outputs in
                    layer.convolution
                        ? layer.kernel.flatMap { kernel in
                            layer.stride.map { stride in
                                prefix + [.convolution(ConvolutionSpec(outChannels: outputs, kernel: kernel, stride: stride,
                                                                       samePadding: layer.samePadding))]
                            }
                        }
                        : [prefix + [.dense(outputs: outputs, bias: false)]]
                }
            }
        }
        return result
    }
}

/// The grid of convolutional networks: input shapes x layers templates x sample counts.
public struct ConvolutionalGrid: Sendable, Equatable {
    public var inputs: [TensorShape]
    public var templates: [LayersTemplate]
    /// The sample counts; nil: C0 d + 2 for each input (`defaultSamples`).
    public var samples: IntegerSet?
    /// Networks with more parameters are left out.
    public var maximumParameters: Int

    public init(inputs: [TensorShape], templates: [LayersTemplate], samples: IntegerSet? = nil,
                maximumParameters: Int = 400) throws(InputError) {
        (self.inputs, self.templates, self.samples, self.maximumParameters) = (inputs, templates, samples, maximumParameters)
        guard !inputs.isEmpty, !templates.isEmpty else { throw InputError("--input and --layers: give at least one of each") }
        if let samples, samples.values[0] < 1 { throw InputError("--samples: sample counts must be >= 1; got \(samples.values[0])") }
        guard (1...ConjectureGrid.maximumParameterBudget).contains(maximumParameters) else {
            throw InputError("--max-parameters: must lie in 1...\(ConjectureGrid.maximumParameterBudget); got \(maximumParameters)")
        }
    }

    /// N = C0 d + 2 (C0 d: the flattened input): full-rank data and two samples more than the input has entries.
    public static func defaultSamples(_ input: TensorShape) -> Int { input.count + 2 }

    /// The valid networks of one input and one layers choice within the budget, or nil.
    func network(_ input: TensorShape, _ layers: [LayerSpec]) -> ConvolutionalArchitecture? {
        guard let a = try? ConvolutionalArchitecture(input: input, layers: layers), a.parameterCount <= maximumParameters else { return nil }
        return a
    }

    func sampleCounts(_ input: TensorShape) -> [Int] { samples?.values ?? [Self.defaultSamples(input)] }

    /// Every case in this order: input (as given), template (as given), expansion, N; without the expansions whose
    /// kernel does not fit, those above the budget, and repeats (two templates may expand to one network).
    public func cases() -> [ConvolutionalCase] {
        var result: [ConvolutionalCase] = [], seen = Set<ConvolutionalCase>()
        let expansions = templates.map(\.expansions)
        for input in inputs {
            for layers in expansions.joined() {
                guard let a = network(input, layers) else { continue }
                for n in sampleCounts(input) {
                    let c = ConvolutionalCase(architecture: a, samples: n)
                    if seen.insert(c).inserted { result.append(c) }
                }
            }
        }
        return result
    }

    /// n cases drawn with the seed: input, template, each field of it and N uniformly, independently; an invalid or
    /// too large network is redrawn whole. Gives up after 1000 n draws, returning fewer. Duplicates are allowed.
    public func randomCases(_ n: Int, seed: UInt64) -> [ConvolutionalCase] {
        precondition(n >= 0, "ConvolutionalGrid.randomCases: n >= 0")
        var stream = SplitMix64(seed: seed, stream: ConjectureGrid.randomStream)
        func pick(_ range: ClosedRange<Int>) -> Int { stream.uniform(in: range) }
        var result: [ConvolutionalCase] = [], draws = 0
        let maximumDraws = n > Int.max / 1000 ? Int.max : 1000 * n
        while result.count < n && draws < maximumDraws {
            draws += 1
            let input = inputs[pick(0...(inputs.count - 1))]
            let template = templates[pick(0...(templates.count - 1))]
            let layers: [LayerSpec] = template.layers.map { layer in
                let outputs = pick(layer.outputs)
                guard layer.convolution else { return .dense(outputs: outputs, bias: false) }
                let kernel = pick(layer.kernel)
                return .convolution(ConvolutionSpec(outChannels: outputs, kernel: kernel, stride: pick(layer.stride),
                                                    samePadding: layer.samePadding))
            }
            let counts = sampleCounts(input)
            let n = counts[pick(0...(counts.count - 1))]
            guard let a = network(input, layers) else { continue }
            result.append(ConvolutionalCase(architecture: a, samples: n))
        }
        return result
    }
}
