// The shape of a convolutional network as the checker reads it (format version 3): the input's channels and spatial
// sizes, and the layer list, validated and sized with the checker's own code (it never calls the producer's
// NetworkModel). Every size is computed with overflow-checked products and compared with the limits before anything
// that grows with it is allocated (`CertificateCheck.Limits`).
//
// The model is PyTorch's (HessianReference's ReferenceConvolution.swift, which rebuilds the Hessians): an input of C_0
// channels and spatial shape [n] or [h, w], flattened channel-major as torch.flatten; convolutions (nn.Conv1d or
// Conv2d matching the input's spatial rank: out channels C >= 1, a kernel k >= 1, k x k in 2-D, stride s >= 1,
// padding `valid` or `same`, `same` only with stride 1 as PyTorch requires) first, then dense layers (nn.Linear on the
// flattened input): the first dense layer ends the convolutions. Output size per axis: n for `same`,
// floor((n - k) / s) + 1 for `valid`, which needs n >= k (at least one output position). Parameters in PyTorch's
// order: layer by layer, the weight flattened row-major ((C, C_in, k) or (C, C_in, k, k); (K, in) for a dense layer),
// then the layer's bias if it has one.
//
// The rebuild unrolls every layer into a dense matrix (out x in, plus a bias column on every layer when any layer has
// a bias) and runs the dense direct route on that network: its cost is the unrolled network's, whose parameter count
// p_u = sum_t out_t (in_t + [some bias]) can far exceed p (a 3 x 3 convolution on 6 x 6 with 2 channels and same
// padding: 18 weights, 72 x 36 = 2,592 unrolled entries). So p_u is bounded, and the rebuild's work is counted in p_u.

extension CertificateCheck {
    /// A convolutional network's shape: input, layers, and the sizes they imply.
    public struct ConvolutionalShape: Sendable, Equatable, CustomStringConvertible {
        public enum Layer: Sendable, Equatable {
            /// nn.Conv1d or Conv2d (the input's spatial rank): `outChannels`, a kernel `kernel` (k x k in 2-D),
            /// `stride`, padding `same` (`samePadding`) or `valid`, with or without bias.
            case convolution(outChannels: Int, kernel: Int, stride: Int, samePadding: Bool, bias: Bool)
            /// nn.Linear on the flattened input.
            case dense(outputs: Int, bias: Bool)

            public var bias: Bool {
                switch self {
                case let .convolution(_, _, _, _, bias), let .dense(_, bias): bias
                }
            }

            /// "conv:C:k[:sS][:same][:bias]" or "dense:K[:bias]", as `rank --layers` reads it.
            public var description: String {
                switch self {
                case let .convolution(channels, kernel, stride, same, bias):
                    "conv:\(channels):\(kernel)" + (stride == 1 ? "" : ":s\(stride)") + (same ? ":same" : "") + (bias ? ":bias" : "")
                case let .dense(outputs, bias):
                    "dense:\(outputs)" + (bias ? ":bias" : "")
                }
            }
        }

        /// [C_0, n] or [C_0, h, w].
        public let input: [Int]
        public let layers: [Layer]
        /// p: the length of theta.
        public let parameters: Int
        /// The unrolled dense network's widths (flattened sizes, input first) and parameter count p_u.
        public let unrolledWidths: [Int]
        public let unrolledParameters: Int

        /// Validates the shape and computes its sizes, refusing (before anything is allocated) a shape that is not a
        /// network of this format, more layers than p allows, p above `Limits.parameters` and p_u above
        /// `Limits.unrolledParameters`. The names in messages are the certificate's (`network.input`, `network.layers[t]`).
        public init(input: [Int], layers: [Layer]) throws(Failure) {
            guard (2...3).contains(input.count), input.allSatisfy({ $0 >= 1 }) else {
                throw Failure("network.input must be [channels, length] or [channels, height, width] of positive sizes")
            }
            guard !layers.isEmpty else { throw Failure("network.layers is empty: a network has at least one layer") }
            // Every layer has at least one parameter (all its sizes are at least 1), so p <= limit bounds the count.
            guard layers.count <= Limits.parameters else {
                throw Failure("network.layers lists \(layers.count) layers, above the checker's limit of \(Limits.parameters) (every layer has a parameter, and p <= \(Limits.parameters))")
            }
            let someBias = layers.contains { $0.bias }
            func product(_ factors: [Int], _ what: @autoclosure () -> String) throws(Failure) -> Int {
                var result = 1
                for factor in factors {
                    let (next, overflow) = result.multipliedReportingOverflow(by: factor)
                    guard !overflow else { throw Failure("\(what()) has more than 2^63 entries") }
                    result = next
                }
                return result
            }
            /// total += count, nil once the sum (or a count) has left Int.
            func add(_ total: inout Int?, _ count: Int?) {
                guard let sum = total, let count else { total = nil; return }
                let (next, overflow) = sum.addingReportingOverflow(count)
                total = overflow ? nil : next
            }
            let spatialRank = input.count - 1
            var shape = input  // [C] + spatial sizes; [K] after a dense layer
            var widths = [try product(input, "network.input")]
            var p: Int? = 0, unrolled: Int? = 0
            for (t, layer) in layers.enumerated() {
                let name = "network.layers[\(t)]"
                let channelsIn = shape[0], inWidth = widths[t]
                let weights: Int
                switch layer {
                case let .convolution(channels, kernel, stride, same, _):
                    guard shape.count > 1 else {
                        throw Failure("\(name): a convolution after a dense layer (the first dense layer ends the convolutions)")
                    }
                    guard channels >= 1, kernel >= 1, stride >= 1 else {
                        throw Failure("\(name): outChannels, kernel and stride must be at least 1")
                    }
                    guard !same || stride == 1 else {
                        throw Failure("\(name): padding \"same\" needs stride 1 (as in PyTorch)")
                    }
                    let spatial = Array(shape.dropFirst())
                    if !same, let size = spatial.first(where: { $0 < kernel }) {
                        throw Failure("\(name): a kernel of \(kernel) does not fit the input size \(size) with padding \"valid\" (no output position)")
                    }
                    shape = [channels] + spatial.map { same ? $0 : ($0 - kernel) / stride + 1 }
                    weights = try product([channels, channelsIn] + Array(repeating: kernel, count: spatialRank), "\(name)'s kernel")
                case let .dense(outputs, _):
                    guard outputs >= 1 else { throw Failure("\(name): outputs must be at least 1") }
                    shape = [outputs]
                    weights = try product([outputs, inWidth], "\(name)'s weight")
                }
                let outWidth = try product(shape, "\(name)'s output")
                add(&p, weights)
                if layer.bias { add(&p, shape[0]) }
                let (columns, carry) = inWidth.addingReportingOverflow(someBias ? 1 : 0)
                add(&unrolled, carry ? nil : try? product([outWidth, columns], ""))
                widths.append(outWidth)
            }
            guard let p, p <= Limits.parameters else {
                throw Failure("network.layers has \(p.map { "p = \($0)" } ?? "more than 2^63") parameters, above the checker's limit of \(Limits.parameters) (certify's limit)")
            }
            guard let unrolled, unrolled <= Limits.unrolledParameters else {
                throw Failure("network.layers unrolls to a dense network of \(unrolled.map { "p_u = \($0)" } ?? "more than 2^63") parameters, above the checker's limit of \(Limits.unrolledParameters) (the Hessians are rebuilt on the unrolled network)")
            }
            self.input = input
            self.layers = layers
            parameters = p
            unrolledWidths = widths
            unrolledParameters = unrolled
        }

        /// "input 1x6x6, layers conv:2:3:same,dense:3".
        public var description: String {
            "input \(input.map(String.init).joined(separator: "x")), layers \(layers.map(\.description).joined(separator: ","))"
        }

    }
}
