// Convolutional networks as reparametrised dense ones: a convolution is a linear map whose matrix (a Toeplitz matrix,
// "unrolled") is linear in the kernel, W = sum_i theta_i E_i, with each unrolled entry equal to one kernel weight or a
// structural zero. The Hessians in theta are then those of the unrolled dense network read through that
// parametrisation (HessianConstructions' `ParametrizedLinearHessian`).
//
// Conventions are PyTorch's, so that parameters and fixtures line up with torch.nn.Conv1d/Conv2d and nn.Linear:
// - a sample of C channels and spatial shape n (1-D) or h x w (2-D) is flattened channel-major, then row-major:
//   index c*h*w + y*w + x (`torch.flatten` of a (C, H, W) tensor);
// - a convolution is a cross-correlation: out[c, y, x] = sum_{ci, a, b} w[c, ci, a, b] in[ci, y*s + a, x*s + b]
//   (+ beta[c]), with zeros outside the input; `valid` pads nothing, `same` (stride 1 only) pads k - 1 per axis,
//   (k - 1) / 2 before and the rest after, as padding='same';
// - parameters: layer 1 first; within a layer the weight flattened row-major ((C, C_in, k) or (C, C_in, k, k); (K, in)
//   for a dense layer), then its bias.

/// A tensor's shape without the batch: channels, then 0 (a flat vector), 1 or 2 spatial sizes.
public struct TensorShape: Sendable, Hashable, CustomStringConvertible {
    public let channels: Int
    public let spatial: [Int]

    public init(channels: Int, spatial: [Int]) {
        self.channels = channels
        self.spatial = spatial
    }

    /// Parses "1x8x8" (channels x height x width) or "2x16" (channels x length).
    public init(parsing text: String) throws(InputError) {
        let sizes = text.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard (2...3).contains(sizes.count), sizes.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw InputError("--input: expected channels x length or channels x height x width of positive integers, e.g. 1x8x8 or 2x16; got '\(text)'")
        }
        self.init(channels: sizes[0]!, spatial: sizes.dropFirst().map { $0! })
    }

    /// The number of entries, C times the spatial sizes.
    public var count: Int { spatial.reduce(channels, *) }
    /// Positions per channel.
    public var positions: Int { spatial.reduce(1, *) }
    public var description: String { ([channels] + spatial).map(String.init).joined(separator: "x") }
}

/// One convolution: out channels, a square kernel of side k, a stride, `same` or `valid` padding, and a bias or not.
public struct ConvolutionSpec: Sendable, Hashable {
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let samePadding: Bool
    public let bias: Bool

    public init(outChannels: Int, kernel: Int, stride: Int = 1, samePadding: Bool = false, bias: Bool = false) {
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.samePadding = samePadding
        self.bias = bias
    }

    /// Padding before the first input position on each axis (PyTorch's 'same': (k - 1) / 2, the rest after).
    public var padBefore: Int { samePadding ? (kernel - 1) / 2 : 0 }
    public var padTotal: Int { samePadding ? kernel - 1 : 0 }

    /// The output size along an axis of `size` inputs, or nil when no output position fits.
    public func outputSize(_ size: Int) -> Int? {
        let span = size + padTotal - kernel
        return span < 0 ? nil : span / stride + 1
    }
}

public enum LayerSpec: Sendable, Hashable {
    case convolution(ConvolutionSpec)
    /// nn.Linear on the flattened input.
    case dense(outputs: Int, bias: Bool)

    public var bias: Bool {
        switch self {
        case .convolution(let c): c.bias
        case .dense(_, let bias): bias
        }
    }

    /// The layer in `--layers` syntax, canonical: `conv:C:k`, then `:sS` for a stride above 1, `:same` and `:bias`
    /// when they apply; `dense:K[:bias]`. Parsing it gives the layer back.
    public var text: String {
        switch self {
        case .convolution(let c):
            return "conv:\(c.outChannels):\(c.kernel)" + (c.stride > 1 ? ":s\(c.stride)" : "") + (c.samePadding ? ":same" : "")
                + (c.bias ? ":bias" : "")
        case .dense(let outputs, let bias):
            return "dense:\(outputs)" + (bias ? ":bias" : "")
        }
    }
}

/// A network of convolutions followed by dense layers, on inputs of one shape.
public struct ConvolutionalArchitecture: Sendable, Equatable {
    public let input: TensorShape
    public let layers: [LayerSpec]
    /// The output shape of each layer (a dense layer's is K channels and no spatial size).
    public let shapes: [TensorShape]

    public init(input: TensorShape, layers: [LayerSpec]) throws(InputError) {
        guard !layers.isEmpty else { throw InputError("--layers: give at least one layer, e.g. conv:4:3,dense:10") }
        guard input.channels >= 1, (1...2).contains(input.spatial.count), input.spatial.allSatisfy({ $0 >= 1 }) else {
            throw InputError("--input: a convolutional network takes channels and one or two spatial sizes, e.g. 1x8x8; got \(input)")
        }
        var shape = input, shapes: [TensorShape] = []
        for (t, layer) in layers.enumerated() {
            switch layer {
            case .convolution(let c):
                guard shape.spatial.count == input.spatial.count else {
                    throw InputError("--layers: layer \(t + 1) is a convolution after a dense layer; convolutions come first")
                }
                guard c.outChannels >= 1, c.kernel >= 1, c.stride >= 1 else {
                    throw InputError("--layers: layer \(t + 1): channels, kernel and stride must be positive")
                }
                guard !c.samePadding || c.stride == 1 else {
                    throw InputError("--layers: layer \(t + 1): same padding needs stride 1 (as in PyTorch)")
                }
                let sizes = shape.spatial.map { c.outputSize($0) }
                guard sizes.allSatisfy({ $0 != nil }) else {
                    throw InputError("--layers: layer \(t + 1): a kernel of \(c.kernel) does not fit the input \(shape) (valid padding)")
                }
                shape = TensorShape(channels: c.outChannels, spatial: sizes.map { $0! })
            case .dense(let outputs, _):
                guard outputs >= 1 else { throw InputError("--layers: layer \(t + 1): a dense layer needs at least one output") }
                shape = TensorShape(channels: outputs, spatial: [])
            }
            shapes.append(shape)
        }
        self.input = input
        self.layers = layers
        self.shapes = shapes
    }

    public var depth: Int { layers.count }

    /// The layers in `--layers` syntax (`LayerSpec.text`), comma-separated.
    public var layersText: String { layers.map(\.text).joined(separator: ",") }

    /// The shape of layer t's weight as PyTorch holds it: (C, C_in, k) or (C, C_in, k, k) for a convolution, (K, in)
    /// for a dense layer (in: the flattened input).
    public func weightShape(_ t: Int) -> [Int] {
        switch layers[t] {
        case .convolution(let c):
            return [c.outChannels, inputShape(t).channels] + Array(repeating: c.kernel, count: input.spatial.count)
        case .dense(let outputs, _):
            return [outputs, inputShape(t).count]
        }
    }

    /// The fan-in of layer t (its weight's shape past the output channels, PyTorch's fan_in): C_in k or C_in k^2 for a
    /// convolution, the flattened input for a dense layer.
    public func fanIn(_ t: Int) -> Int { weightShape(t).dropFirst().reduce(1, *) }

    /// For one hidden convolution then a dense layer, both without bias: m, the entries of one filter (C_0 k^s) and
    /// the output positions per channel d'; nil for any other network.
    public var oneHiddenConvolution: (channels: Int, filterEntries: Int, positions: Int)? {
        guard depth == 2, case .convolution(let c) = layers[0], !c.bias, case .dense(_, false) = layers[1] else { return nil }
        return (c.outChannels, fanIn(0), shapes[0].positions)
    }

    /// The number of biases of layer t: its output channels (or outputs), or 0 without a bias.
    public func biasCount(_ t: Int) -> Int {
        switch layers[t] {
        case .convolution(let c): c.bias ? c.outChannels : 0
        case .dense(let outputs, let bias): bias ? outputs : 0
        }
    }
    /// The number of outputs K (a final convolution's outputs are its flattened map).
    public var outputWidth: Int { shapes[depth - 1].count }
    /// Whether some layer has a bias: then the unrolled network carries a constant 1 (`ConvolutionalProblem`).
    public var hasBias: Bool { layers.contains(where: \.bias) }
    /// The input shape of layer t (0-based).
    public func inputShape(_ t: Int) -> TensorShape { t == 0 ? input : shapes[t - 1] }

    public func parameterCount(_ t: Int) -> Int { weightShape(t).reduce(1, *) + biasCount(t) }

    public var parameterCount: Int { (0..<depth).reduce(0) { $0 + parameterCount($1) } }
    public func parameterOffset(_ t: Int) -> Int { (0..<t).reduce(0) { $0 + parameterCount($1) } }

    /// Layer t's unrolled matrix (rows: its flattened output, columns: its flattened input, plus a last column for the
    /// constant 1 when the network has biases) as a parametrisation: for each of its parameters, in PyTorch's order,
    /// the unrolled entries (row, column) equal to it. Every entry belongs to at most one parameter.
    public func parametrization(_ t: Int) -> [[(row: Int, column: Int)]] {
        let inShape = inputShape(t), outShape = shapes[t]
        let biasColumn = inShape.count
        switch layers[t] {
        case .dense(let outputs, let bias):
            let inputs = inShape.count
            var entries = (0..<(outputs * inputs)).map { [(row: $0 / inputs, column: $0 % inputs)] }
            if bias { entries += (0..<outputs).map { [(row: $0, column: biasColumn)] } }
            return entries
        case .convolution(let c):
            let k = c.kernel, twoD = inShape.spatial.count == 2
            let (inH, inW) = twoD ? (inShape.spatial[0], inShape.spatial[1]) : (1, inShape.spatial[0])
            let (outH, outW) = twoD ? (outShape.spatial[0], outShape.spatial[1]) : (1, outShape.spatial[0])
            let (kh, kw) = twoD ? (k, k) : (1, k)
            let (padH, padW) = twoD ? (c.padBefore, c.padBefore) : (0, c.padBefore)
            var entries: [[(row: Int, column: Int)]] = []
            for o in 0..<c.outChannels {
                for ci in 0..<inShape.channels {
                    for a in 0..<kh {
                        for b in 0..<kw {
                            var positions: [(row: Int, column: Int)] = []
                            for y in 0..<outH {
                                for x in 0..<outW {
                                    let iy = y * (twoD ? c.stride : 1) + a - padH, ix = x * c.stride + b - padW
                                    guard iy >= 0 && iy < inH && ix >= 0 && ix < inW else { continue }
                                    positions.append((row: o * outH * outW + y * outW + x, column: ci * inH * inW + iy * inW + ix))
                                }
                            }
                            entries.append(positions)
                        }
                    }
                }
            }
            if c.bias {
                let per = outShape.positions
                entries += (0..<c.outChannels).map { o in (0..<per).map { (row: o * per + $0, column: biasColumn) } }
            }
            return entries
        }
    }
}

extension ConvolutionalArchitecture {
    /// Parses `--input` ("1x8x8") and `--layers`: comma-separated `conv:C:k` (C out channels, a k x k kernel, or
    /// length k in 1-D) with optional `:sS` (stride S), `:same` or `:valid` (the default) and `:bias`, then
    /// `dense:K` with optional `:bias`. `bias` gives every layer a bias.
    public init(input: String, layers: String, bias: Bool = false) throws(InputError) {
        let shape = try TensorShape(parsing: input)
        var parsed: [LayerSpec] = []
        for text in layers.split(separator: ",", omittingEmptySubsequences: false) {
            let fields = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let usage = "conv:C:k[:sS][:same|valid][:bias] or dense:K[:bias], e.g. conv:4:3:same,dense:10"
            func positive(_ field: String, _ what: String) throws(InputError) -> Int {
                guard let value = Int(field), value >= 1 else {
                    throw InputError("--layers: '\(text)': \(what) must be a positive integer; got '\(field)' (\(usage))")
                }
                return value
            }
            switch fields[0] {
            case "conv":
                guard fields.count >= 3 else { throw InputError("--layers: '\(text)' needs channels and a kernel size (\(usage))") }
                let channels = try positive(fields[1], "the number of channels")
                let kernel = try positive(fields[2], "the kernel size")
                var stride = 1, same = false, layerBias = bias
                for option in fields.dropFirst(3) {
                    switch option {
                    case "same": same = true
                    case "valid": same = false
                    case "bias": layerBias = true
                    case _ where option.hasPrefix("s"): stride = try positive(String(option.dropFirst()), "the stride")
                    default: throw InputError("--layers: '\(text)': unknown option '\(option)' (\(usage))")
                    }
                }
                parsed.append(.convolution(ConvolutionSpec(outChannels: channels, kernel: kernel, stride: stride,
                                                           samePadding: same, bias: layerBias)))
            case "dense":
                guard fields.count == 2 || (fields.count == 3 && fields[2] == "bias") else {
                    throw InputError("--layers: '\(text)' (\(usage))")
                }
                parsed.append(.dense(outputs: try positive(fields[1], "the number of outputs"), bias: bias || fields.count == 3))
            default:
                throw InputError("--layers: unknown layer '\(text)' (\(usage))")
            }
        }
        try self.init(input: shape, layers: parsed)
    }
}
