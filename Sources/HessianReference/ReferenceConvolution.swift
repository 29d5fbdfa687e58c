// A convolutional network (1-D or 2-D convolutions, then dense layers; PyTorch semantics), its Hessians in its own
// parameters theta, by unrolling every layer into a dense matrix and pulling back the Hessians of that dense network.
//
// The model. An input of C_0 channels and spatial shape [n] or [h, w], flattened channel-major then row-major as
// torch.flatten of a (C, H, W) tensor: index c h w + y w + x (1-D: c n + x). A convolution layer (torch.nn.Conv1d/2d:
// out channels C, kernel k, k x k in 2-D, stride s) is the cross-correlation
//   out[c, y, x] = sum_{ci, a, b} w[c, ci, a, b] in[ci, y s + a - pad, x s + b - pad] (+ beta[c]),
// with in = 0 outside the input. `valid` has pad = 0; `same` (stride 1 only) pads k - 1 per axis, floor((k-1)/2)
// before and the rest after, as PyTorch's padding='same'. Output size per axis: floor((n + padTotal - k) / s) + 1
// (n under `same`). A dense layer is nn.Linear on the flattened input; after the first one every layer is dense.
// theta, in PyTorch order: layer 1 first; within a layer the weight flattened row-major ((C, C_in, k) or
// (C, C_in, k, k), or (K, in)), then its bias if it has one.
//
// Unrolling. Each layer is linear in its input, so it is a dense matrix on the flattened vectors (a Toeplitz-like one
// for a convolution): entry (o, j) of layer t, o = (c, y, x) and j = (ci, iy, ix), is w[c, ci, a, b] for the one
// offset (a, b) = (iy - y s + pad, ix - x s + pad) if that lies in the kernel, and a structural zero otherwise; a
// convolution's bias entry o is beta[c]. So every parameter u of the unrolled network is one theta_i or the constant 0:
// u = S theta for a 0/1 matrix S with at most one 1 per row. ReferenceNetwork has biases on every layer or on none; when
// only some layers have one, the others get a bias fixed at 0, which maps to no theta and leaves f unchanged.
//
// Pulling back. With u = S theta linear, the chain rule has no second-derivative term of the map: the loss Hessian in
// theta is S^T H_L S, and likewise J_theta = J_u S gives S^T H_O S, and e_c Hessian_theta(f_c) = S^T (e_c Hessian_u(f_c)) S
// gives S^T H_F S. Without forming S: H_theta[i][j] = sum of H[a][b] over unrolled a mapped to i and b mapped to j.
// This route shares nothing with a convolution-aware construction: it needs only the dense reference and the index
// arithmetic above. Its cost is that of the dense network, so it is for small networks (unrolled p up to a few
// thousand).
//
// Kinks. The dense reference decides kinks on the unrolled network, which has more directions than theta (a
// structural zero is a direction of the unrolled network, not of theta). A unit whose receptive field is all zero, or
// a bias-free layer's unit fed by an all-zero vector in a network where other layers have biases, is locally constant
// in theta but is refused as a kink here: the refusal errs on the safe side, never towards a wrong Hessian.

/// One layer of a `ReferenceConvolutionalNetwork`.
public enum ReferenceLayer: Sendable, Equatable {
    /// torch.nn.Conv1d or Conv2d, matching the input's spatial rank: `outChannels` channels, a kernel of `kernel` (2-D:
    /// `kernel` x `kernel`), `stride` >= 1, padding `same` (`samePadding`, stride 1 only) or `valid`, with or without bias.
    case convolution(outChannels: Int, kernel: Int, stride: Int, samePadding: Bool, bias: Bool)
    /// torch.nn.Linear on the flattened input: `outputs` outputs, with or without bias.
    case dense(outputs: Int, bias: Bool)

    var hasBias: Bool {
        switch self {
        case let .convolution(_, _, _, _, bias), let .dense(_, bias): bias
        }
    }
}

public struct ReferenceConvolutionalNetwork: Sendable {
    public let inputChannels: Int
    /// [n] for 1-D, [h, w] for 2-D.
    public let inputShape: [Int]
    public let layers: [ReferenceLayer]
    /// The parameters in PyTorch order (top of this file).
    public let theta: [Int128]
    /// shapes[0] is [C_0] + inputShape; shapes[t] is layer t's output: [C] + spatial sizes for a convolution, [K] for dense.
    public let shapes: [[Int]]
    /// The dense network with the same f: every layer unrolled, with the samples (N x flattened input) and targets.
    public let unrolled: ReferenceNetwork
    /// weightParameters[t][o][j]: the index of theta that the unrolled weight entry (o, j) of layer t + 1 equals, or
    /// nil for a structural zero.
    public let weightParameters: [[[Int?]]]
    /// biasParameters[t][o]: the index of theta that unrolled bias entry o of layer t + 1 equals (beta[c] of its
    /// channel c for a convolution), or nil for the zero bias given to a bias-free layer; nil when no layer has a bias.
    public let biasParameters: [[Int?]]?

    /// The most entries of the input, of any layer's output, weights and unrolled weight matrix: every matrix here is
    /// materialised, and a size past this is refused with an error rather than allowed to overflow Int or exhaust memory.
    public static let maximumSize = 1 << 20

    public var parameterCount: Int { theta.count }

    /// For every parameter of `unrolled`, in ReferenceNetwork's order (W_t row-major, then b_t, layer by layer), the
    /// index of theta it equals, or nil for a constant 0: the rows of S.
    public var parameterMap: [Int?] {
        weightParameters.indices.flatMap { t in weightParameters[t].flatMap { $0 } + (biasParameters?[t] ?? []) }
    }

    public init(inputChannels: Int, inputShape: [Int], layers: [ReferenceLayer], theta: [Int128], samples: [[Int128]],
                targets: [[Int128]]) throws(ReferenceNetwork.ShapeError) {
        guard inputChannels >= 1, (1...2).contains(inputShape.count), inputShape.allSatisfy({ $0 >= 1 }) else {
            throw .mismatch("the input needs at least one channel and a spatial shape [n] or [h, w] of positive sizes")
        }
        guard !layers.isEmpty else { throw .mismatch("a network needs at least one layer") }
        let someBias = layers.contains { $0.hasBias }
        var shapes = [[inputChannels] + inputShape]
        var widths = [try Self.size(shapes[0], "the input")]
        var weightMaps: [[[Int?]]] = []
        var biasMaps: [[Int?]] = []
        var offset = 0
        for (t, layer) in layers.enumerated() {
            let (input, inWidth, base) = (shapes[t], widths[t], offset)
            let output: [Int]
            let weightCount: Int
            let parameter: (_ o: Int, _ j: Int) -> Int?
            let biasChannel: (_ o: Int) -> Int
            switch layer {
            case let .convolution(channels, k, s, same, _):
                guard input.count > 1 else { throw .mismatch("layer \(t + 1): a convolution cannot follow a dense layer") }
                guard channels >= 1, k >= 1, s >= 1 else {
                    throw .mismatch("layer \(t + 1): out channels, kernel and stride must be at least 1")
                }
                guard !same || s == 1 else { throw .mismatch("layer \(t + 1): same padding needs stride 1 (as in PyTorch)") }
                let spatial = Array(input.dropFirst())
                if !same, let n = spatial.first(where: { $0 < k }) {
                    throw .mismatch("layer \(t + 1): kernel \(k) exceeds input size \(n) without padding (output size 0)")
                }
                output = [channels] + spatial.map { same ? $0 : ($0 - k) / s + 1 }
                // 1-D runs as 2-D of height 1 with kernel 1 x k: the same flat indices, weight (c, ci, 0, b) at (c, ci, b).
                let (inH, inW) = spatial.count == 1 ? (1, spatial[0]) : (spatial[0], spatial[1])
                let (outH, outW) = spatial.count == 1 ? (1, output[1]) : (output[1], output[2])
                let (kh, kw) = spatial.count == 1 ? (1, k) : (k, k)
                let (padH, padW) = same ? (spatial.count == 1 ? 0 : (k - 1) / 2, (k - 1) / 2) : (0, 0)
                let cin = input[0]
                weightCount = try Self.size([channels, cin, kh, kw], "layer \(t + 1)'s weights")
                // Entry (o, j), o = (c, y, x) and j = (ci, iy, ix), is w[c, ci, a, b] if the offset (a, b) is in the kernel.
                parameter = { o, j in
                    let (c, y, x) = (o / (outH * outW), o / outW % outH, o % outW)
                    let (ci, iy, ix) = (j / (inH * inW), j / inW % inH, j % inW)
                    let (a, b) = (iy - y * s + padH, ix - x * s + padW)
                    return (0..<kh).contains(a) && (0..<kw).contains(b) ? base + ((c * cin + ci) * kh + a) * kw + b : nil
                }
                biasChannel = { o in o / (outH * outW) }
            case let .dense(outputs, _):
                guard outputs >= 1 else { throw .mismatch("layer \(t + 1): a dense layer needs at least one output") }
                output = [outputs]
                weightCount = try Self.size([outputs, inWidth], "layer \(t + 1)'s weights")
                parameter = { o, j in base + o * inWidth + j }
                biasChannel = { o in o }
            }
            let outWidth = try Self.size(output, "layer \(t + 1)'s output")
            _ = try Self.size([outWidth, inWidth], "layer \(t + 1)'s unrolled matrix")
            weightMaps.append((0..<outWidth).map { o in (0..<inWidth).map { j in parameter(o, j) } })
            biasMaps.append((0..<outWidth).map { o in layer.hasBias ? base + weightCount + biasChannel(o) : nil })
            offset += weightCount + (layer.hasBias ? output[0] : 0)
            shapes.append(output)
            widths.append(outWidth)
        }
        guard theta.count == offset else { throw .mismatch("theta must have \(offset) entries, not \(theta.count)") }
        func values(_ map: [Int?]) -> [Int128] { map.map { $0.map { theta[$0] } ?? 0 } }
        self.inputChannels = inputChannels
        self.inputShape = inputShape
        self.layers = layers
        self.theta = theta
        self.shapes = shapes
        weightParameters = weightMaps
        biasParameters = someBias ? biasMaps : nil
        unrolled = try ReferenceNetwork(widths: widths, weights: weightMaps.map { $0.map(values) },
                                        biases: someBias ? biasMaps.map(values) : nil, samples: samples, targets: targets)
    }

    /// The product of `factors`, refused past `maximumSize` (checked at each step, so it cannot overflow Int).
    static func size(_ factors: [Int], _ what: String) throws(ReferenceNetwork.ShapeError) -> Int {
        var product = 1
        for factor in factors {
            let (next, overflow) = product.multipliedReportingOverflow(by: factor)
            guard !overflow, next <= maximumSize else { throw .mismatch("\(what) would have more than \(maximumSize) entries") }
            product = next
        }
        return product
    }

    /// S^T H S for a Hessian H of `unrolled` (p_u x p_u row-major): entry (i, j) is the sum of H[a][b] over the
    /// unrolled parameters a equal to theta_i and b equal to theta_j.
    func pulledBack(_ h: [Int128]) throws(ReferenceFailure) -> [Int128] {
        let map = parameterMap
        let (p, q) = (theta.count, map.count)
        let mapped = map.enumerated().compactMap { a, i in i.map { (a, $0) } }
        var result = [Int128](repeating: 0, count: p * p)
        for (a, i) in mapped {
            for (b, j) in mapped where h[a * q + b] != 0 {
                result[i * p + j] = try Checked.add(result[i * p + j], h[a * q + b])
            }
        }
        return result
    }
}

extension DirectHessian {
    /// The Hessians of a convolutional network in theta (p = theta.count): those of its unrolled network, pulled back
    /// by S^T H S (ReferenceConvolution.swift). For a leaky slope a/b, b^(2(L-1)) times the true ones, L = layer count.
    public static func compute(_ network: ReferenceConvolutionalNetwork,
                               activation: ReferenceActivation = .linear) throws(ReferenceFailure) -> Result {
        let h = try compute(network.unrolled, activation: activation)
        return Result(parameterCount: network.parameterCount, loss: try network.pulledBack(h.loss),
                      outer: try network.pulledBack(h.outer), functional: try network.pulledBack(h.functional))
    }
}

extension FiniteDifferenceHessian {
    /// The finite-difference Hessians of a convolutional network in theta: those of its unrolled network (where each
    /// unrolled parameter is stepped on its own), pulled back as by `DirectHessian.compute(_:activation:)`. Cost O(N p_u^3)
    /// in the unrolled parameter count p_u: small cases only.
    public static func compute(_ network: ReferenceConvolutionalNetwork,
                               activation: ReferenceActivation = .linear) throws(ReferenceFailure) -> Result {
        let h = try compute(network.unrolled, activation: activation)
        return Result(outer: try network.pulledBack(h.outer), functional: try network.pulledBack(h.functional),
                      lossFromLoss: try network.pulledBack(h.lossFromLoss))
    }
}
