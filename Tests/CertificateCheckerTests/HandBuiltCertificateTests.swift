import CertificateChecker
import ExactAlgebra
import Foundation
import HessianReference
import Testing

/// Certificates for networks with biases and leaky-ReLU activations, built in the test (HandBuiltCertificates.swift)
/// without the producer: Hessians known by hand, witnesses chosen by hand or by the test's own elimination.
@Suite struct HandBuiltCertificateTests {
    typealias Matrix = [Int128]

    /// widths 1,1,1 with bias, f = w2 sigma(w1 x + b1) + b2, theta = (w1, b1, w2, b2), one sample, leaky slope 1/3:
    /// w1 = -3, b1 = 1, w2 = 3, b2 = 1, x = 2, y = 0, so z = -5, sigma(z) = -5/3, f = -4, e = -4, and
    /// J = (w2 x / 3, w2 / 3, sigma(z), 1) = (2, 1, -5/3, 1); the only second derivatives of f are
    /// d2f/dw1 dw2 = x / 3 and d2f/db1 dw2 = 1 / 3, so e Hessian(f) has -8/3 and -4/3 there. The checker's Hessians
    /// are b^(2(L-1)) = 9 times the true ones:
    static let leakyOuter: Matrix = [36, 18, -30, 18, 18, 9, -15, 9, -30, -15, 25, -15, 18, 9, -15, 9]
    static let leakyFunctional: Matrix = [0, 0, -24, 0, 0, 0, -12, 0, -24, -12, 0, 0, 0, 0, 0, 0]
    /// 9 H_L: column 0 is twice column 1, so the rank is at most 3, and the minor on rows and columns 1, 2, 3,
    /// [9, -27, 9; -27, 25, -15; 9, -15, 9], has determinant 9 (225 - 225) + 27 (-243 + 135) + 9 (405 - 225) = -1296:
    /// rank 3. 9 H_O = 9 J^T J has rank 1 (minor [3]: 9); 9 H_F has rank 2 (minor on 0, 2: [0, -24; -24, 0], -576).
    static let leakyLoss: Matrix = zip(leakyOuter, leakyFunctional).map { $0 + $1 }

    static func leakyNetwork(activation: String = "leaky-relu:1/3") -> [String: Any] {
        HandBuilt.network(activation: activation, widths: [1, 1, 1], weights: [[[-3]], [[3]]], biases: [[1], [1]],
                          x: [[2]], y: [[0]])
    }

    static func leakyCertificate() throws -> Data {
        try HandBuilt.certificate(network: leakyNetwork(), samples: 1, parameters: 4, parts: [
            HandBuilt.part("loss", indices: [1, 2, 3], residue: HandBuilt.residue(-1296)),
            HandBuilt.part("outer", indices: [3], residue: HandBuilt.residue(9)),
            HandBuilt.part("functional", indices: [0, 2], residue: HandBuilt.residue(-576)),
        ])
    }

    @Test func leakyBiasNetworkByHand() throws {
        // The test's elimination agrees with the hand-picked witnesses (it picks the first independent columns).
        #expect(HandBuilt.witness(Self.leakyOuter, size: 4) == ([0], HandBuilt.residue(36)))
        #expect(HandBuilt.witness(Self.leakyFunctional, size: 4) == ([0, 2], HandBuilt.residue(-576)))
        #expect(HandBuilt.witness(Self.leakyLoss, size: 4).indices.count == 3)
        let summary = try CertificateCheck.check(try Self.leakyCertificate())
        #expect(summary.parts.map { "\($0.part) \($0.rank)" } == ["loss 3", "outer 1", "functional 2"])
        #expect(summary.activation == "leaky-relu:1/3" && summary.bias && summary.parameters == 4)
        #expect(summary.description == "valid: rank H_L = 3, rank H_O = 1, rank H_F = 2 for the leaky-ReLU network (slope 1/3) "
            + "with bias, widths 1,1,1 (p = 4, N = 1); both witnesses checked exactly on the rebuilt Hessians")
    }

    /// A changed bias is caught by inputsDigest; re-signed, by the witnesses (b2 = 2 changes e, hence H_F and H_L,
    /// whose stated minor then has another determinant). So are a relabelled activation and dropped biases.
    @Test func tamperedBiasesAndActivationAreCaught() throws {
        let valid = try Self.leakyCertificate()
        func setBias(_ o: inout [String: Any]) { CertificateTests.editNetwork(&o) { $0["biases"] = [["1"], ["2"]] } }
        #expect(CertificateTests.reason(try CertificateTests.tampered(valid, setBias))
                == "the network, data or targets changed after certification (inputsDigest does not match)")
        let resigned = CertificateTests.reason(try CertificateTests.tampered(valid, resign: true, setBias))
        #expect(resigned?.hasPrefix("loss: the witness minor is ") == true, "\(resigned ?? "accepted")")
        for other in ["relu", "leaky-relu:1/2", "leaky-relu:-1/3", "linear"] {
            let relabelled = CertificateTests.reason(try CertificateTests.tampered(valid, resign: true) { o in
                CertificateTests.editNetwork(&o) { $0["activation"] = other }
            })
            #expect(relabelled?.hasPrefix("loss: ") == true, "\(other): \(relabelled ?? "accepted")")
        }
        let dropped = CertificateTests.reason(try CertificateTests.tampered(valid, resign: true) { o in
            CertificateTests.editNetwork(&o) { $0.removeValue(forKey: "biases") }
        })
        #expect(dropped == "parameters is 4 but the architecture has p = 2")
    }

    /// The summary's wording for every kind of network: today's for bias-free linear and ReLU networks. On the active
    /// side every activation has slope 1, so the Hessians are the hand-derived ones (DirectHessianTests): with bias
    /// w1 = 3, b1 = -1, w2 = 5, b2 = 1, x = 2, y = 4 (e = 22, J = (10, 5, 5, 1), e d2f = 44 at (w1, w2), 22 at
    /// (b1, w2)); without, w1 = 3, w2 = 5, x = 2, y = 4 (f = 30, e = 26, J = (10, 6), e d2f/dw1 dw2 = 52); times
    /// b^(2(L-1)) = b^2.
    @Test func summaryWording() throws {
        let withBias = (outer: [100, 50, 50, 10, 50, 25, 25, 5, 50, 25, 25, 5, 10, 5, 5, 1] as Matrix,
                        functional: [0, 0, 44, 0, 0, 0, 22, 0, 44, 22, 0, 0, 0, 0, 0, 0] as Matrix)
        let biasFree = (outer: [100, 60, 60, 36] as Matrix, functional: [0, 52, 52, 0] as Matrix)
        let cases: [(String, Bool, Int128, String)] = [
            ("linear", false, 1, "for widths 1,1,1 (p = 2, N = 1)"),
            ("relu", false, 1, "for the ReLU network with widths 1,1,1 (p = 2, N = 1)"),
            ("leaky-relu:1/8", false, 8, "for the leaky-ReLU network (slope 1/8) with widths 1,1,1 (p = 2, N = 1)"),
            ("leaky-relu:-2", false, 1, "for the leaky-ReLU network (slope -2) with widths 1,1,1 (p = 2, N = 1)"),
            ("linear", true, 1, "for the linear network with bias, widths 1,1,1 (p = 4, N = 1)"),
            ("relu", true, 1, "for the ReLU network with bias, widths 1,1,1 (p = 4, N = 1)"),
            ("leaky-relu:1/8", true, 8, "for the leaky-ReLU network (slope 1/8) with bias, widths 1,1,1 (p = 4, N = 1)"),
            ("leaky-relu:2/1", true, 1, "for the leaky-ReLU network (slope 2) with bias, widths 1,1,1 (p = 4, N = 1)"),
        ]
        for (activation, bias, b, expected) in cases {
            let (outer, functional) = bias ? withBias : biasFree
            let p = bias ? 4 : 2
            let parts = [("loss", zip(outer, functional).map { $0 + $1 }), ("outer", outer), ("functional", functional)].map { name, m in
                let w = HandBuilt.witness(m.map { $0 * b * b }, size: p)
                return HandBuilt.part(name, indices: w.indices, residue: w.residue)
            }
            let network = HandBuilt.network(activation: activation, widths: [1, 1, 1], weights: [[[3]], [[5]]],
                                            biases: bias ? [[-1], [1]] : nil, x: [[2]], y: [[4]])
            let certificate = try HandBuilt.certificate(network: network, samples: 1, parameters: p, parts: parts)
            let ranks = bias ? "rank H_L = 3, rank H_O = 1, rank H_F = 2" : "rank H_L = 2, rank H_O = 1, rank H_F = 2"
            let summary = try CertificateCheck.check(certificate)
            #expect(summary.description == "valid: \(ranks) \(expected); both witnesses checked exactly on the rebuilt Hessians",
                    "\(activation), bias \(bias)")
            #expect(summary.bias == bias && summary.activation == (activation == "leaky-relu:2/1" ? "leaky-relu:2" : activation))
        }
    }

    /// A larger network, widths 6,4,3 with bias and slope 1/8 (p = 24 + 4 + 12 + 3 = 43), N = 9, drawn in -4...4
    /// (the first draw off every kink from seed 11): its Hessians from HessianReference, its witnesses from the test's
    /// elimination; accepted, and a changed bias is caught with and without re-signing.
    @Test func largerLeakyBiasRoundTrip() throws {
        let widths = [6, 4, 3], samples = 9
        let activation = ReferenceActivation.leakyReLU(numerator: 1, denominator: 8)
        var drawn: (ReferenceNetwork, DirectHessian.Result)?
        for seed in 11..<61 as Range<UInt64> {
            var g = SplitMix64(seed: seed)
            func values(_ rows: Int, _ columns: Int) -> [[Int128]] {
                (0..<rows).map { _ in (0..<columns).map { _ in Int128(g.uniform(in: -4...4)) } }
            }
            let network = try ReferenceNetwork(widths: widths, weights: [values(4, 6), values(3, 4)], biases: [values(1, 4)[0], values(1, 3)[0]],
                                               samples: values(samples, 6), targets: values(samples, 3))
            guard let hessians = try? DirectHessian.compute(network, activation: activation) else { continue }
            drawn = (network, hessians)
            break
        }
        let (network, hessians) = try #require(drawn, "every draw sits on a kink")
        #expect(network.parameterCount == 43)
        let witnesses = [("loss", hessians.loss), ("outer", hessians.outer), ("functional", hessians.functional)].map { name, m in
            (name, HandBuilt.witness(m, size: 43))
        }
        let networkObject = HandBuilt.network(activation: "leaky-relu:1/8", widths: widths, weights: network.weights,
                                              biases: network.biases, x: network.samples, y: network.targets)
        let valid = try HandBuilt.certificate(network: networkObject, samples: samples, parameters: 43,
                                              parts: witnesses.map { HandBuilt.part($0.0, indices: $0.1.indices, residue: $0.1.residue) })
        let summary = try CertificateCheck.check(valid)
        let ranks = witnesses.map { $0.1.indices.count }
        #expect(summary.parts.map(\.rank) == ranks)
        #expect(summary.description.hasSuffix("for the leaky-ReLU network (slope 1/8) with bias, widths 6,4,3 (p = 43, N = 9); "
            + "both witnesses checked exactly on the rebuilt Hessians"), "\(summary)")
        func changeBias(_ o: inout [String: Any]) {
            CertificateTests.editNetwork(&o) { n in var b = n["biases"] as! [[String]]; b[1][2] = String(Int(b[1][2])! + 1); n["biases"] = b }
        }
        #expect(CertificateTests.reason(try CertificateTests.tampered(valid, changeBias))?.contains("inputsDigest does not match") == true)
        let resigned = CertificateTests.reason(try CertificateTests.tampered(valid, resign: true, changeBias))
        #expect(resigned?.hasPrefix("loss: ") == true, "\(resigned ?? "accepted")")
    }
}
