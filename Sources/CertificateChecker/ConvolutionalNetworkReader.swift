// The network section of a convolutional network's certificate (format version 3): input, layers, theta, data and
// targets. The layer list is read and validated by the checker's own code (`ConvolutionalShape`), the sizes checked
// against the limits before any entry is converted or any matrix built; then the reference network of
// HessianReference is built from plain arrays, and its Hessians are rebuilt by the direct route on the unrolled
// network, pulled back to theta (ReferenceConvolution.swift).
import HessianReference

enum ConvolutionalNetworkReader {
    typealias Failure = CertificateCheck.Failure

    /// The keys of a network section that make it a convolutional one; a dense one has none of them.
    static let keys = ["input", "layers", "theta"]
    /// A dense network's keys, which a convolutional network's section may not hold.
    static let denseKeys = ["architecture", "biases", "weights"]

    static let convolutionKeys: Set<String> = ["bias", "kernel", "kind", "outChannels", "padding", "stride"]
    static let denseLayerKeys: Set<String> = ["bias", "kind", "outputs"]

    static func read(_ fields: Fields) throws(Failure) -> (network: ReferenceConvolutionalNetwork, shape: CertificateCheck.ConvolutionalShape) {
        if let key = denseKeys.first(where: { fields.object[$0] != nil }) {
            throw Failure("network.\(key): a convolutional network (input, layers, theta) has no \(denseKeys.joined(separator: ", "))")
        }
        let input = try fields.integers("input")
        let layerObjects = try fields.array("layers")
        guard layerObjects.count <= CertificateCheck.Limits.parameters else {
            throw Failure("network.layers lists \(layerObjects.count) layers, above the checker's limit of \(CertificateCheck.Limits.parameters) (every layer has a parameter, and p <= \(CertificateCheck.Limits.parameters))")
        }
        let layers = try layerObjects.enumerated().map { (t, value) throws(Failure) in try layer(value, index: t) }
        let shape = try CertificateCheck.ConvolutionalShape(input: input, layers: layers)
        guard try fields.string("activation") == "linear" else {
            throw Failure("network.activation: only \"linear\" is certified for a convolutional network by this version")
        }
        guard try fields.string("loss") == "mse" else {
            throw Failure("network.loss: only \"mse\" is certified by this version")
        }
        let samples = max(try fields.array("x").count, try fields.array("y").count)
        try CertificateCheck.Limits.checkConvolutionalNetwork(shape, samples: samples)
        let thetaEntries = try fields.array("theta")
        guard thetaEntries.count == shape.parameters else {
            throw Failure("network.theta has \(thetaEntries.count) entries but the layers have p = \(shape.parameters) parameters")
        }
        let theta = try Fields.decimalVector(thetaEntries, name: "network.theta")
        let (x, y) = (try fields.decimalMatrix("x"), try fields.decimalMatrix("y"))
        let (d, k) = (shape.unrolledWidths[0], shape.unrolledWidths[shape.unrolledWidths.count - 1])
        guard x.count == y.count, x.allSatisfy({ $0.count == d }), y.allSatisfy({ $0.count == k }) else {
            throw Failure("network: shapes do not match the layers: the data must be N x \(d) (the input flattened) and the targets N x \(k)")
        }
        let referenceLayers = layers.map { layer -> ReferenceLayer in
            switch layer {
            case let .convolution(channels, kernel, stride, same, bias):
                .convolution(outChannels: channels, kernel: kernel, stride: stride, samePadding: same, bias: bias)
            case let .dense(outputs, bias): .dense(outputs: outputs, bias: bias)
            }
        }
        do {
            let network = try ReferenceConvolutionalNetwork(inputChannels: input[0], inputShape: Array(input.dropFirst()),
                                                            layers: referenceLayers, theta: theta, samples: x, targets: y)
            return (network, shape)
        } catch {
            switch error {
            case .mismatch(let message): throw Failure("network: shapes do not match the layers: \(message)")
            }
        }
    }

    /// One layer object: {"kind": "conv", "outChannels", "kernel", "stride", "padding": "same"|"valid", "bias"} or
    /// {"kind": "dense", "outputs", "bias"}, with no other key.
    static func layer(_ value: Any, index t: Int) throws(Failure) -> CertificateCheck.ConvolutionalShape.Layer {
        let name = "network.layers[\(t)]"
        guard let object = value as? [String: Any] else { throw Failure("\(name) must be an object") }
        let fields = Fields(object, path: name + ".")
        let kind = try fields.string("kind")
        let keys: Set<String>
        switch kind {
        case "conv": keys = convolutionKeys
        case "dense": keys = denseLayerKeys
        default: throw Failure("\(name).kind: unknown layer kind \"\(kind)\" (\"conv\" or \"dense\")")
        }
        if let key = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw Failure("\(name): a \(kind) layer has no key \"\(key)\" (it has \(keys.sorted().joined(separator: ", ")))")
        }
        let bias = try fields.bool("bias")
        if kind == "dense" { return .dense(outputs: try fields.int("outputs"), bias: bias) }
        let padding = try fields.string("padding")
        guard padding == "same" || padding == "valid" else {
            throw Failure("\(name).padding: \"\(padding)\" is not a padding of this format (\"same\" or \"valid\")")
        }
        return .convolution(outChannels: try fields.int("outChannels"), kernel: try fields.int("kernel"),
                            stride: try fields.int("stride"), samePadding: padding == "same", bias: bias)
    }
}
