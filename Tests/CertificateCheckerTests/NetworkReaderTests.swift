import CertificateChecker
import Foundation
import Testing

/// The network section's activation and biases (Fields.swift, NetworkReader): every malformed value is refused with a
/// reason that names the key and the value, before the digests are checked.
@Suite struct NetworkReaderTests {
    static func reason(_ edit: @escaping (inout [String: Any]) -> Void) throws -> String? {
        CertificateTests.reason(try CertificateTests.tampered(try HandBuiltCertificateTests.leakyCertificate()) { o in
            CertificateTests.editNetwork(&o, edit)
        })
    }

    @Test func malformedActivationsAreRefused() throws {
        let notCertified = "is not certified by this version (\"linear\", \"relu\" or \"leaky-relu:a/b\")"
        let notASlope = "the slope must be a or a/b with decimal integers (e.g. \"leaky-relu:1/8\", \"leaky-relu:-2\")"
        let cases: [(String, String)] = [
            ("tanh", notCertified), ("leaky-relu", notCertified), ("LEAKY-RELU:1/8", notCertified), ("leaky_relu:1/8", notCertified),
            ("leaky-relu:", notASlope), ("leaky-relu:0.01", notASlope), ("leaky-relu:+1/8", notASlope),
            ("leaky-relu:01/8", notASlope), ("leaky-relu:1/08", notASlope), ("leaky-relu:-0", notASlope),
            ("leaky-relu:1/-2", notASlope), ("leaky-relu:1/2/3", notASlope), ("leaky-relu:1/", notASlope),
            ("leaky-relu: 1/8", notASlope), ("leaky-relu:1e3", notASlope), ("leaky-relu:1234567", notASlope),
            ("leaky-relu:1/0", "the denominator must be at least 1"),
            ("leaky-relu:2/4", "the slope 2/4 is not in lowest terms"),
            ("leaky-relu:0/2", "the slope 0/2 is not in lowest terms"),
            ("leaky-relu:1", "the slope is 1, which is the linear activation (\"linear\")"),
            ("leaky-relu:3/3", "the slope is 1, which is the linear activation (\"linear\")"),
            ("leaky-relu:65537", "|a| and b must be at most 65536"),
            ("leaky-relu:-65537/2", "|a| and b must be at most 65536"),
            ("leaky-relu:1/65537", "|a| and b must be at most 65536"),
        ]
        for (activation, why) in cases {
            let expected = why == notCertified ? "network.activation: \"\(activation)\" \(why)" : "network.activation: \"\(activation)\": \(why)"
            #expect(try Self.reason { $0["activation"] = activation } == expected)
        }
        // In range, in lowest terms: read, then the changed network is caught by the digest.
        for activation in ["leaky-relu:0", "leaky-relu:-65536/65535", "leaky-relu:65536/3", "relu", "linear"] {
            #expect(try Self.reason { $0["activation"] = activation }?.contains("inputsDigest does not match") == true, "\(activation)")
        }
        #expect(try Self.reason { $0["activation"] = 1 } == "network.activation must be a string")
    }

    @Test func malformedBiasesAreRefused() throws {
        let cases: [(Any, String)] = [
            ([[String]](), "network.biases is empty: a network with biases lists one vector per layer (2), and a bias-free network has no biases key"),
            ([["1"]], "network.biases has 1 vectors but the architecture has 2 layers, each with its bias vector"),
            ([["1"], ["1"], ["1"]], "network.biases has 3 vectors but the architecture has 2 layers, each with its bias vector"),
            ([["1", "2"], ["1"]], "network.biases[0] has 2 entries but layer 1 has 1 units"),
            ([["1"], [String]()], "network.biases[1] has 0 entries but layer 2 has 1 units"),
            ([["1"], "1"] as [Any], "network.biases[1] must be an array"),
            ("1", "network.biases must be an array"),
            (NSNull(), "network.biases must be an array"),
            ([["x"], ["1"]], "network.biases[0][0] must be a decimal integer string"),
            ([[1], ["1"]], "network.biases[0][0] must be a decimal integer string"),
            ([["1"], [["1"]]], "network.biases[1][0] must be a decimal integer string"),
            ([["1" + String(repeating: "0", count: 39)], ["1"]], "network.biases[0][0] has 40 digits, above the checker's limit of 39 (2^127 has 39)"),
            ([["2"], ["1"]], "the network, data or targets changed after certification (inputsDigest does not match)"),
        ]
        for (biases, expected) in cases {
            #expect(try Self.reason { $0["biases"] = biases } == expected, "\(biases)")
        }
        // Biases on a bias-free certificate: p counts them.
        let biasFree = try HandBuilt.certificate(
            network: HandBuilt.network(activation: "linear", widths: [1, 1, 1], weights: [[[3]], [[5]]], biases: nil, x: [[2]], y: [[4]]),
            samples: 1, parameters: 2, parts: [HandBuilt.part("outer", indices: [1], residue: 36)])
        #expect(CertificateTests.reason(biasFree) == nil)
        let added = CertificateTests.reason(try CertificateTests.tampered(biasFree) { o in
            CertificateTests.editNetwork(&o) { $0["biases"] = [["0"], ["0"]] }
        })
        #expect(added == "parameters is 2 but the architecture has p = 4")
    }

    /// p counts the biases, in the parameter limit (widths 20,40,5: 1000 weights, 1045 parameters with biases) and in the
    /// rebuild's work.
    @Test func biasesCountTowardsTheParameterLimit() throws {
        #expect(throws: Never.self) { try CertificateCheck.Limits.checkNetwork(widths: [20, 40, 5], samples: 1) }
        #expect(throws: CertificateCheck.Failure("network.architecture has p = 1045 parameters with its biases, above the checker's limit of 1000 (certify's limit)")) {
            try CertificateCheck.Limits.checkNetwork(widths: [20, 40, 5], samples: 1, bias: true)
        }
        #expect(throws: CertificateCheck.Failure("network.architecture has more than 2^63 parameters, above the checker's limit of 1000 (certify's limit)")) {
            try CertificateCheck.Limits.checkNetwork(widths: [Int.max, 1], samples: 1, bias: true)
        }
        // widths 18,40,5, N = 340: p = 920 without biases (work 1,870,544,000) and 965 with them (2,058,007,250).
        #expect(throws: Never.self) { try CertificateCheck.Limits.checkNetwork(widths: [18, 40, 5], samples: 340) }
        #expect(throws: CertificateCheck.Failure("rebuilding the Hessians (p = 965, N = 340, K = 5) takes N p^2 (K + 8) / 2 = 2058007250 multiply-adds, above the checker's limit of 2000000000")) {
            try CertificateCheck.Limits.checkNetwork(widths: [18, 40, 5], samples: 340, bias: true)
        }
    }
}
