import CertificateChecker
import ExactAlgebra
import Foundation
import HessianCore
import Testing

/// Certificates whose upper bounds name a proven statement (`--upper-bound statement`, format version 2): the checker
/// recomputes each bound from the network with the formula module and accepts only proven statements whose value is
/// the claimed rank.
@Suite struct ProvenStatementCertificateTests {
    static func certificate(_ architecture: Architecture, samples: Int, dataRank: Int? = nil, seed: UInt64 = 1,
                            upperBound: UpperBoundWitness = .provenStatement) throws -> Data {
        let problem = try Generator.draw(architecture, samples: samples, dataRank: dataRank, seed: seed)
        var primes = SplitMix64(seed: seed, stream: 4)
        return try CertificateBuilder.build(problem, seed: seed, parts: HessianPart.allCases, upperBound: upperBound,
                                            witnessPrime: { Primes.random(using: &primes) }).fileData()
    }

    static func statements(_ summary: CertificateCheck.Summary) -> [String?] { summary.parts.map(\.statement) }

    /// 6,2,5 with r = 6, N = 8 (p = 22): H_O = q (r + K - q) = 2 (6 + 5 - 2) = 18 (`outer`), H_F = 2 M_1 rank Omega
    /// = 2 2 5 = 20 (`functional-L2`, Omega of full rank s = 5 at this draw), H_L = 22 = p (`parameters`, proved here,
    /// chosen before the paper's cited bound, also 22). The span certificate of the same network (no theorem) agrees.
    @Test func twoLayersByHand() throws {
        let summary = try CertificateCheck.check(try Self.certificate(Architecture(widths: [6, 2, 5]), samples: 8))
        #expect(summary.parts.map(\.rank) == [22, 18, 20])
        #expect(Self.statements(summary) == ["parameters", "outer", "functional-L2"])
        #expect(summary.parts.map(\.basis) == ["proved here", "proved here", "proved here"])
        let span = try CertificateCheck.check(try Self.certificate(Architecture(widths: [6, 2, 5]), samples: 8, upperBound: .span))
        #expect(span.parts.map(\.rank) == [22, 18, 20] && Self.statements(span) == [nil, nil, nil])
    }

    /// The paper's demo 25,5,10,10, N = 50: 250, 150, 175 by `loss` (cited), `outer`, `functional-bound` (cited).
    @Test func demoByCitedBounds() throws {
        let summary = try CertificateCheck.check(try Self.certificate(Architecture(widths: [25, 5, 10, 10]), samples: 50))
        #expect(summary.parts.map(\.rank) == [250, 150, 175])
        #expect(Self.statements(summary) == ["loss", "outer", "functional-bound"])
        #expect(summary.parts.map(\.basis) == ["cited", "proved here", "cited"])
        #expect(summary.description.contains("H_L by `loss` (cited)"))
    }

    /// Data of rank 3 < d = 6 (6,2,5, N = 8): the bounds are read with the checker's own exact rank of X: H_O =
    /// 2 (3 + 5 - 2) = 12, H_F = 2 2 3 = 12 (rank Omega = s = 3), H_L = q (r + K) + 2 q M_1 - 2 q^2 = 16 + 8 - 8 = 16.
    @Test func dataOfLowRank() throws {
        let summary = try CertificateCheck.check(try Self.certificate(Architecture(widths: [6, 2, 5]), samples: 8, dataRank: 3))
        #expect(summary.parts.map(\.rank) == [16, 12, 12])
        #expect(Self.statements(summary) == ["loss", "outer", "functional-L2"])
    }

    /// A rank below every proven bound keeps the span witness: 4,3,2 with biases, N = 7 (p = 23). H_O = 10 meets
    /// `bias-network:outer` (augmented [5, 4, 2], r~ = 5, q = 2: 2 (5 + 2 - 2) = 10); H_L = 20 and H_F = 12 lie below
    /// their bounds (22 and 16, `ProvenBoundsTests.biasNetworkByHand`) and are closed by the span, as in the span
    /// certificate of the same network.
    @Test func belowEveryBoundKeepsTheSpan() throws {
        let architecture = try Architecture(widths: [4, 3, 2], bias: true)
        let summary = try CertificateCheck.check(try Self.certificate(architecture, samples: 7))
        let span = try CertificateCheck.check(try Self.certificate(architecture, samples: 7, upperBound: .span))
        #expect(summary.parts.map(\.rank) == span.parts.map(\.rank))
        #expect(summary.parts.map(\.rank) == [20, 10, 12])
        #expect(Self.statements(summary) == [nil, "bias-network:outer", nil])
        #expect(summary.description.hasSuffix("; the others by the exact column span"))
    }

    /// Re-signed tampering with the statements: only the mathematics can object, and it does.
    @Test func statementsAreRecomputedNotTrusted() throws {
        let valid = try Self.certificate(Architecture(widths: [6, 2, 5]), samples: 8)
        func renamed(_ part: Int, _ statement: String) throws -> String? {
            CertificateTests.reason(try CertificateTests.tampered(valid, resign: true) { o in
                CertificateTests.editWitness(&o, part) { $0["statement"] = statement }
            })
        }
        // Observations and conjectures are never upper bounds: the with-bias conjecture, the non-generic residual one.
        for conjecture in ["bias", "nongeneric-residual", "loss-equality"] {
            let reason = try #require(try renamed(0, conjecture))
            #expect(reason.hasPrefix("loss: the certificate names `\(conjecture)`, which is not a proven upper bound"), "\(reason)")
        }
        // A proven statement of another part.
        #expect(try renamed(2, "outer")?.hasPrefix("functional: the certificate names `outer`, which is not a proven upper bound on this part") == true)
        // A proven statement of this part whose value is not the rank: N K = 40, not 18.
        #expect(try renamed(1, "jacobian-rows") == "outer: the bound `jacobian-rows` is 40 for this network and data, not the claimed rank 18")
        // A bias-network statement for a bias-free network.
        #expect(try renamed(1, "bias-network:outer")?.contains("not a proven upper bound") == true)
        // A claimed rank the bound does not match: one less, with a true 17 x 17 nonzero minor and its determinant
        // (computed here from the structured Hessian), so that only the bound can object.
        let object = try #require(try JSONSerialization.jsonObject(with: valid) as? [String: Any])
        let witness = (object["parts"] as! [[String: Any]])[1]["witness"] as! [String: Any]
        let prime = UInt(witness["prime"] as! String)!
        let smaller = Array((witness["rows"] as! [Int]).dropLast())
        let problem = try Generator.draw(Architecture(widths: [6, 2, 5]), samples: 8, seed: 1)
        let residue = StructuredHessian(problem).source(for: .outer).reduced(modulo: prime)
            .submatrix(rows: smaller, columns: smaller).determinant()
        try #require(residue != 0, "the test needs a nonsingular smaller minor")
        let lower = try CertificateTests.tampered(valid, resign: true) { o in
            CertificateTests.editPart(&o, 1) { $0["rank"] = 17 }
            CertificateTests.editWitness(&o, 1) { w in
                w["rows"] = smaller; w["columns"] = smaller; w["determinantResidue"] = String(residue)
            }
        }
        #expect(CertificateTests.reason(lower) == "outer: the bound `outer` is 18 for this network and data, not the claimed rank 17")
    }

    /// The statement and the method go together, and the method needs format version 2.
    @Test func statementNeedsItsMethodAndVersion() throws {
        let valid = try Self.certificate(Architecture(widths: [6, 2, 5]), samples: 8)
        let span = try Self.certificate(Architecture(widths: [6, 2, 5]), samples: 8, upperBound: .span)
        let version1 = try CertificateTests.tampered(valid, resign: true) { $0["formatVersion"] = 1 }
        #expect(CertificateTests.reason(version1) == "parts[0].witness.method: \"nonzero-minor-and-proven-bound\" needs format version 2")
        let noStatement = try CertificateTests.tampered(valid, resign: true) { o in
            CertificateTests.editWitness(&o, 0) { $0.removeValue(forKey: "statement") }
        }
        #expect(CertificateTests.reason(noStatement) == "parts[0].witness.statement is missing: the method names a proven statement")
        let strayStatement = try CertificateTests.tampered(span, resign: true) { o in
            CertificateTests.editWitness(&o, 0) { $0["statement"] = "parameters" }
        }
        #expect(CertificateTests.reason(strayStatement) == "parts[0].witness.statement is given, but the method \"nonzero-minor-and-column-span\" uses none")
        // A span-only certificate of version 1 (as written before format 2) is still read.
        let spanVersion1 = try CertificateTests.tampered(span, resign: true) { $0["formatVersion"] = 1 }
        #expect(CertificateTests.reason(spanVersion1) == nil)
    }
}
