import CertificateChecker
import ExactAlgebra
import Foundation
import HessianCore
import RankFormulas
import SHA256Digest
import Testing

/// Certificates of linear convolutional networks (format version 3): round trips against the producer's certified
/// ranks, a whole-input kernel against the equivalent dense network, tampering, the layer list's validation, and the
/// limits on the unrolled network the checker rebuilds on.
@Suite struct ConvolutionCertificateTests {
    static func problem(_ input: String, _ layers: String, samples: Int, seed: UInt64 = 1) throws -> ConvolutionalProblem {
        try ConvolutionalProblem.draw(try ConvolutionalArchitecture(input: input, layers: layers), samples: samples, seed: seed)
    }

    static func certificate(_ problem: ConvolutionalProblem, seed: UInt64 = 1,
                            parts: [HessianPart] = HessianPart.allCases) throws -> Data {
        var primes = SplitMix64(seed: seed, stream: 4)
        return try CertificateBuilder.build(problem, seed: seed, parts: parts, witnessPrime: { Primes.random(using: &primes) }).fileData()
    }

    static func certificate(_ input: String, _ layers: String, samples: Int, seed: UInt64 = 1) throws -> Data {
        try certificate(try problem(input, layers, samples: samples, seed: seed), seed: seed)
    }

    /// The small network most tests tamper with: input 1x6, conv:2:3 (valid: 4 positions, 6 weights), dense:2
    /// (2 x 8 weights): p = 22, unrolled widths 6, 8, 2.
    static func small() throws -> Data { try certificate("1x6", "conv:2:3,dense:2", samples: 3) }

    // MARK: round trips

    /// 1-D and 2-D, strides 1 and 2, same and valid padding, biases on some layers, a final convolution, two input
    /// channels: the checker accepts, and every rank equals the producer's multimodular certified rank (what
    /// `rank --input ... --certify` prints: `ParametrizedLinearHessian`'s rank sources, H_O through the Jacobian).
    @Test(arguments: [
        ("1x8", "conv:2:3,dense:2", 5),
        ("1x10", "conv:2:3:s2:bias,dense:2", 4),
        ("1x5x5", "conv:2:3:same,dense:2:bias", 3),
        ("2x5x5", "conv:2:2:s2,conv:1:1:bias,dense:2", 3),
        ("1x7", "conv:2:3:same,conv:1:2:s2", 4),
    ])
    func roundTrip(input: String, layers: String, samples: Int) throws {
        let problem = try Self.problem(input, layers, samples: samples, seed: 3)
        let summary = try CertificateCheck.check(try Self.certificate(problem, seed: 3))
        #expect(summary.convolution == "input \(input), layers \(layers)")
        #expect(summary.parameters == problem.parameterCount && summary.samples == samples)
        let hessian = ParametrizedLinearHessian(problem)
        for part in summary.parts {
            let certified = try CertifiedRank.rank(of: hessian.rankSource(for: HessianPart(rawValue: part.part)!))
            #expect(part.rank == certified.rank, "\(input) \(layers): \(part.part)")
        }
    }

    /// The summary names the network as `rank --layers` spells it.
    @Test func summaryNamesTheNetwork() throws {
        let summary = try CertificateCheck.check(try Self.certificate("1x6x6", "conv:2:3:s2,dense:3", samples: 4))
        #expect(summary.description == "valid: rank H_L = 42, rank H_O = 12, rank H_F = 36 for the convolutional network "
            + "input 1x6x6, layers conv:2:3:s2,dense:3 (p = 42, N = 4); both witnesses checked exactly on the rebuilt Hessians")
        #expect(summary.architecture == [36, 8, 3])
    }

    /// A kernel that covers the whole input (valid padding, one input channel) has one output position per channel,
    /// and its unrolled matrix is the dense matrix of its weights in theta's order: the network is the dense network
    /// 9,2,3 with W_1 = the kernels as rows and W_2 = the dense layer. Its certificate's ranks equal those of the dense
    /// network's certificate (checked by the dense route, another rebuild), and both equal the closed forms for widths
    /// 9,2,3 at data rank r = N = 4 (RankFormulas: H_O = q (r + K - q) = 2 (4 + 3 - 2) = 10, H_F = 2 M s = 2 * 2 * 3
    /// = 12 with s = min(r, K) = 3, q = min(s, M) = 2).
    @Test func wholeInputKernelIsTheDenseNetwork() throws {
        let convolution = try Self.problem("1x3x3", "conv:2:3,dense:3", samples: 4, seed: 2)
        let theta = convolution.theta
        let dense = try Problem(architecture: try Architecture(widths: [9, 2, 3]),
                                weights: [IntegerMatrix((0..<2).map { Array(theta[($0 * 9)..<($0 * 9 + 9)]) }),
                                          IntegerMatrix((0..<3).map { Array(theta[(18 + $0 * 2)..<(18 + $0 * 2 + 2)]) })],
                                x: convolution.x, y: convolution.y)
        var primes = SplitMix64(seed: 2, stream: 4)
        let denseSummary = try CertificateCheck.check(try CertificateBuilder.build(dense, seed: 2, parts: HessianPart.allCases,
                                                                                   witnessPrime: { Primes.random(using: &primes) }).fileData())
        let summary = try CertificateCheck.check(try Self.certificate(convolution, seed: 2))
        #expect(summary.convolution != nil && denseSummary.convolution == nil)
        #expect(summary.parameters == 24 && summary.architecture == [9, 2, 3])
        #expect(summary.parts.map(\.rank) == denseSummary.parts.map(\.rank))
        let formulas = LinearNetworkFormulas(widths: [9, 2, 3], dataRank: 4)
        #expect(formulas.outer.value == 10 && formulas.functional.value == 12)
        #expect(summary.parts.map(\.rank) == [formulas.loss.value, formulas.outer.value, formulas.functional.value])
    }

    // MARK: tampering

    static func reason(_ data: Data) -> String? { CertificateTests.reason(data) }

    static func editLayer(_ object: inout [String: Any], _ index: Int, _ edit: (inout [String: Any]) -> Void) {
        CertificateTests.editNetwork(&object) { network in
            var layers = network["layers"] as! [[String: Any]]
            edit(&layers[index])
            network["layers"] = layers
        }
    }

    /// Changed fields, without re-signing and re-signed: each refused with its reason.
    @Test func tamperedFieldsAreRefused() throws {
        let valid = try Self.small()
        #expect(Self.reason(valid) == nil)
        let cases: [(String, Bool, (inout [String: Any]) -> Void, String)] = [
            ("a theta entry", false, { CertificateTests.editNetwork(&$0) { n in var t = n["theta"] as! [String]; t[0] = String(Int(t[0])! + 1); n["theta"] = t } },
             "the network, data or targets changed after certification (inputsDigest does not match)"),
            ("a sample", false, { CertificateTests.editNetwork(&$0) { n in var x = n["x"] as! [[String]]; x[1][2] = "0"; n["x"] = x } },
             "inputsDigest does not match"),
            ("kernel 3 to 2", false, { Self.editLayer(&$0, 0) { $0["kernel"] = 2 } },
             "network.theta has 22 entries but the layers have p = 24 parameters"),
            ("kernel 3 to 2, re-signed", true, { Self.editLayer(&$0, 0) { $0["kernel"] = 2 } },
             "network.theta has 22 entries but the layers have p = 24 parameters"),
            ("padding same, re-signed", true, { Self.editLayer(&$0, 0) { $0["padding"] = "same" } },
             "network.theta has 22 entries but the layers have p = 30 parameters"),
            ("a bias, re-signed", true, { Self.editLayer(&$0, 1) { $0["bias"] = true } },
             "network.theta has 22 entries but the layers have p = 24 parameters"),
            ("parameters", false, { $0["parameters"] = 23 }, "parameters is 23 but the layers have p = 22"),
            ("a sample's length", true, { CertificateTests.editNetwork(&$0) { n in var x = n["x"] as! [[String]]; x[1].removeLast(); n["x"] = x } },
             "network: shapes do not match the layers: the data must be N x 6 (the input flattened) and the targets N x 2"),
            ("activation", true, { CertificateTests.editNetwork(&$0) { $0["activation"] = "relu" } },
             "network.activation: only \"linear\" is certified for a convolutional network by this version"),
            ("a dense key besides", true, { CertificateTests.editNetwork(&$0) { $0["weights"] = [[["1"]]] } },
             "network.weights: a convolutional network (input, layers, theta) has no architecture, biases, weights"),
            ("statement witness", true, { CertificateTests.editWitness(&$0, 0) { $0["method"] = "nonzero-minor-and-proven-bound"; $0["statement"] = "parameters" } },
             "parts[0].witness.method: proven statements are not checked for convolutional networks by this version; the upper bound must be \"nonzero-minor-and-column-span\""),
        ]
        for (name, resign, edit, expected) in cases {
            let reason = Self.reason(try CertificateTests.tampered(valid, resign: resign, edit))
            #expect(reason?.contains(expected) == true, "\(name): got \(reason ?? "accepted")")
        }
    }

    /// rank + 1 and rank - 1, re-signed, in every part, each fail on the rebuilt Hessian with their own reason: a
    /// (rho+1)-minor is singular; with rho - 1 columns (and the true determinant of a nonsingular smaller minor,
    /// computed here from the producer's Hessian) a column is outside their span.
    @Test func wrongRanksAreRefused() throws {
        let problem = try Self.problem("1x6", "conv:2:3,dense:2", samples: 3)
        let valid = try Self.certificate(problem)
        let object = try #require(try JSONSerialization.jsonObject(with: valid) as? [String: Any])
        let parts = object["parts"] as! [[String: Any]]
        for (index, part) in parts.enumerated() {
            let name = part["part"] as! String
            let witness = part["witness"] as! [String: Any]
            let rows = witness["rows"] as! [Int]
            let prime = UInt(witness["prime"] as! String)!
            try #require(!rows.isEmpty && rows.count < 22, "\(name): the test needs 0 < rank < p")

            // A nonsingular minor one smaller: one row and one column index left out (H_F = [[0, B^T], [B, 0]] has no
            // nonsingular principal minor of odd size, so rows and columns may differ).
            let reduced: ModularMatrix = ParametrizedLinearHessian(problem).exactMatrix(HessianPart(rawValue: name)!).reduced(modulo: prime)
            let candidates = rows.indices.reversed().lazy.flatMap { i in rows.indices.reversed().lazy.map { j in
                let (smallerRows, smallerColumns) = (rows.filter { $0 != rows[i] }, rows.filter { $0 != rows[j] })
                return (smallerRows, smallerColumns, reduced.submatrix(rows: smallerRows, columns: smallerColumns).determinant())
            } }
            let (smallerRows, smallerColumns, residue) = try #require(candidates.first { $0.2 != 0 }, "\(name): the test needs a nonsingular smaller minor")
            let lower = try CertificateTests.tampered(valid, resign: true) { o in
                CertificateTests.editPart(&o, index) { $0["rank"] = rows.count - 1 }
                CertificateTests.editWitness(&o, index) { w in
                    w["rows"] = smallerRows; w["columns"] = smallerColumns; w["determinantResidue"] = String(residue)
                }
            }
            let lowerReason = try #require(Self.reason(lower), "\(name): rank - 1 accepted")
            #expect(lowerReason.hasPrefix("\(name): column ")
                    && lowerReason.hasSuffix(" is not in the span of the witness columns, so the rank exceeds \(rows.count - 1)"), "\(lowerReason)")

            let extra = (0..<22).first { !rows.contains($0) }!
            let higher = try CertificateTests.tampered(valid, resign: true) { o in
                CertificateTests.editPart(&o, index) { $0["rank"] = rows.count + 1 }
                CertificateTests.editWitness(&o, index) { w in w["rows"] = rows + [extra]; w["columns"] = rows + [extra] }
            }
            #expect(Self.reason(higher)?.hasPrefix("\(name): the witness minor is singular modulo \(prime)") == true, "\(Self.reason(higher) ?? "accepted")")
        }
    }

    /// The layer list: every malformed layer is refused with a reason naming it (re-signed, so that only the reader
    /// can object).
    @Test func malformedLayersAreRefused() throws {
        let valid = try Self.small()
        let conv: [String: Any] = ["kind": "conv", "outChannels": 2, "kernel": 3, "stride": 1, "padding": "valid", "bias": false]
        let dense: [String: Any] = ["kind": "dense", "outputs": 2, "bias": false]
        func with(_ changes: [String: Any?], _ layer: [String: Any] = conv) -> [String: Any] {
            var layer = layer
            for (key, value) in changes { layer[key] = value }
            return layer
        }
        let cases: [([Any], String)] = [
            ([], "network.layers is empty: a network has at least one layer"),
            ([with(["kernel": 0]), dense], "network.layers[0]: outChannels, kernel and stride must be at least 1"),
            ([with(["outChannels": -1]), dense], "network.layers[0]: outChannels, kernel and stride must be at least 1"),
            ([with(["stride": 0]), dense], "network.layers[0]: outChannels, kernel and stride must be at least 1"),
            ([with(["stride": 2, "padding": "same"]), dense], "network.layers[0]: padding \"same\" needs stride 1 (as in PyTorch)"),
            ([with(["kernel": 7]), dense], "network.layers[0]: a kernel of 7 does not fit the input size 6 with padding \"valid\" (no output position)"),
            ([dense, with([:])], "network.layers[1]: a convolution after a dense layer (the first dense layer ends the convolutions)"),
            ([with(["outputs": 2]), dense], "network.layers[0]: a conv layer has no key \"outputs\" (it has bias, kernel, kind, outChannels, padding, stride)"),
            ([with([:]), with(["kernel": 3], dense)], "network.layers[1]: a dense layer has no key \"kernel\" (it has bias, kind, outputs)"),
            ([with(["kind": "pool"]), dense], "network.layers[0].kind: unknown layer kind \"pool\" (\"conv\" or \"dense\")"),
            ([with(["padding": "full"]), dense], "network.layers[0].padding: \"full\" is not a padding of this format (\"same\" or \"valid\")"),
            ([with(["bias": 0]), dense], "network.layers[0].bias must be true or false"),
            ([with(["stride": nil]), dense], "missing field network.layers[0].stride"),
            ([with([:]), with(["outputs": 0], dense)], "network.layers[1]: outputs must be at least 1"),
            ([with([:]), "dense"], "network.layers[1] must be an object"),
        ]
        for (layers, expected) in cases {
            let reason = Self.reason(try CertificateTests.tampered(valid, resign: true) { o in
                CertificateTests.editNetwork(&o) { $0["layers"] = layers }
            })
            #expect(reason == expected, "\(layers): got \(reason ?? "accepted")")
        }
        for input in [[1], [0, 6], [1, 2, 3, 4]] {
            let reason = Self.reason(try CertificateTests.tampered(valid, resign: true) { o in
                CertificateTests.editNetwork(&o) { $0["input"] = input }
            })
            #expect(reason == "network.input must be [channels, length] or [channels, height, width] of positive sizes", "\(input)")
        }
    }

    /// The first pass knows the layer objects: an unknown key in one is refused before its value is read, and so is
    /// nesting deeper than the format's.
    @Test func preflightReadsTheLayers() throws {
        let text = CheckerLimitsTests.text(try Self.small())
        let unknown = text.replacingOccurrences(of: "\"kind\" : \"conv\"", with: "\"kind\" : \"conv\", \"zzz\": [[[[ {]")
        #expect(unknown != text)
        #expect(Self.reason(Data(unknown.utf8)) == "unknown key \"zzz\" in network.layers[0] (format version 3 has bias, kernel, kind, outChannels, outputs, padding, stride)")
        let deep = text.replacingOccurrences(of: "\"kernel\" : 3", with: "\"kernel\" : [[[[3]]]]")
        #expect(deep != text)
        #expect(Self.reason(Data(deep.utf8)) == "network.layers[0].kernel[0]: nested deeper than the format's 5 levels")
    }

    /// A convolutional network in a file that says it is version 1 or 2: refused by the first pass when the version
    /// comes first (as the producer writes keys), by the reader when it comes after the network.
    @Test func convolutionNeedsVersion3() throws {
        let valid = try Self.small()
        for version in [1, 2] {
            let labelled = try CertificateTests.tampered(valid, resign: true) { $0["formatVersion"] = version }
            #expect(Self.reason(labelled) == "unknown key \"input\" in network (format version 2 has activation, architecture, biases, loss, weights, x, y)")
        }
        var object = try #require(try JSONSerialization.jsonObject(with: valid) as? [String: Any])
        object.removeValue(forKey: "formatVersion")
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        let late = Data((text.dropLast() + ",\"formatVersion\":2}").utf8)
        #expect(Self.reason(late) == "network.input: a convolutional network (input, layers, theta) needs format version 3; this file is version 2")
        // Version 4 is unknown, first among the reasons.
        let newer = try CertificateTests.tampered(valid, resign: true) { $0["formatVersion"] = 4 }
        #expect(Self.reason(newer) == "unknown format version 4 (this checker reads versions 1 to 3)")
    }

    // MARK: limits

    /// `valid` with the network's layers, input and sample count replaced (x and y N empty rows, theta unchanged):
    /// the refusals below come before theta, x or y are read.
    static func reason(input: [Int], layers: [[String: Any]], samples: Int = 3) throws -> String? {
        Self.reason(try CertificateTests.tampered(try Self.small()) { o in
            CertificateTests.editNetwork(&o) { n in
                n["input"] = input
                n["layers"] = layers
                n["x"] = [[String]](repeating: [], count: samples)
                n["y"] = [[String]](repeating: [], count: samples)
            }
        })
    }

    static func conv(_ channels: Int, _ kernel: Int, bias: Bool = false) -> [String: Any] {
        ["kind": "conv", "outChannels": channels, "kernel": kernel, "stride": 1, "padding": "valid", "bias": bias]
    }

    static let theta22 = "network.theta has 22 entries but the layers have"

    /// The unrolled network: p_u = 3,000 passes (input 1x60, conv:1:11: 50 x 60; refused later, by theta's length),
    /// 3,050 (with a bias: 50 x 61) is refused; so are sizes far beyond, whose products overflow, with p = 1. Nothing
    /// grows with them before the refusal: the data rows are empty.
    @Test func unrolledSizeMovesAtTheLimit() throws {
        #expect(try Self.reason(input: [1, 60], layers: [Self.conv(1, 11)]) == "\(Self.theta22) p = 11 parameters")
        #expect(try Self.reason(input: [1, 60], layers: [Self.conv(1, 11, bias: true)])
                == "network.layers unrolls to a dense network of p_u = 3050 parameters, above the checker's limit of 3000 (the Hessians are rebuilt on the unrolled network)")
        #expect(try Self.reason(input: [1, 100_000], layers: [Self.conv(1, 1)])
                == "network.layers unrolls to a dense network of p_u = 10000000000 parameters, above the checker's limit of 3000 (the Hessians are rebuilt on the unrolled network)")
        #expect(try Self.reason(input: [1, 1 << 31, 1 << 31], layers: [Self.conv(1, 1)])
                == "network.layers unrolls to a dense network of more than 2^63 parameters, above the checker's limit of 3000 (the Hessians are rebuilt on the unrolled network)")
        #expect(try Self.reason(input: [1, 1 << 32, 1 << 32], layers: [Self.conv(1, 1)]) == "network.input has more than 2^63 entries")
        #expect(try Self.reason(input: [1, 1 << 62], layers: [Self.conv(1 << 62, 1 << 62)]) == "network.layers[0]'s kernel has more than 2^63 entries")
        #expect(try Self.reason(input: [1, 40, 40], layers: [Self.conv(1, 40), Self.conv(1, 1)] + [[String: Any]](repeating: Self.conv(1, 1), count: 1000))
                == "network.layers lists 1002 layers, above the checker's limit of 1000 (every layer has a parameter, and p <= 1000)")
        #expect(try Self.reason(input: [1, 40], layers: [Self.conv(26, 39)]) == "network.layers has p = 1014 parameters, above the checker's limit of 1000 (certify's limit)")
    }

    /// The rebuild's work is counted in p_u: input 1x60, conv:1:11 (p_u = 3,000, K = 50 outputs) costs
    /// N * 9 * 10^6 * 58 / 2 = 2.61 * 10^8 N multiply-adds: N = 7 passes, N = 8 is refused.
    @Test func rebuildWorkIsCountedInTheUnrolledNetwork() throws {
        #expect(try Self.reason(input: [1, 60], layers: [Self.conv(1, 11)], samples: 7) == "\(Self.theta22) p = 11 parameters")
        #expect(try Self.reason(input: [1, 60], layers: [Self.conv(1, 11)], samples: 8)
                == "rebuilding the Hessians on the unrolled network (p_u = 3000, N = 8, K = 50) takes N p_u^2 (K + 8) / 2 = 2088000000 multiply-adds, above the checker's limit of 2000000000")
    }

    /// certify's up-front check and the checker's share the shape (ConvolutionalShape): the producer asks the
    /// checker's own code.
    @Test func certifyAsksTheCheckersShape() throws {
        let shape = try CertificateCheck.ConvolutionalShape(input: [1, 6, 6], layers: [
            .convolution(outChannels: 2, kernel: 3, stride: 1, samePadding: true, bias: false), .dense(outputs: 3, bias: false)])
        #expect(shape.parameters == 234 && shape.unrolledParameters == 2808 && shape.unrolledWidths == [36, 72, 3])
        #expect(shape.description == "input 1x6x6, layers conv:2:3:same,dense:3")
        #expect(throws: CertificateCheck.Failure.self) {
            try CertificateCheck.Limits.checkConvolutionalNetwork(shape, samples: 10_001)
        }
    }

    // MARK: the format

    /// Dense certificates are written as before: each checked-in one, read back into the producer's `Certificate`
    /// and written again, gives the same bytes (format version 2 and its layout), and so does the convolutional one
    /// (version 3).
    @Test func checkedInCertificatesAreWrittenByteForByte() throws {
        let directory = CheckedInCertificatesTests.directory
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).filter({ $0.hasSuffix(".json") }) {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            let certificate = try JSONDecoder().decode(Certificate.self, from: data)
            #expect(try certificate.fileData() == data, "\(file)")
            let isConvolutional = if case .convolutional = certificate.network { true } else { false }
            #expect(isConvolutional ? certificate.formatVersion == 3 : certificate.formatVersion <= 2, "\(file)")
        }
    }
}
