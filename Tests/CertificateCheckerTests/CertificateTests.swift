import CertificateChecker
import ExactAlgebra
import Foundation
import HessianCore
import SHA256Digest
import Testing

/// Certificates: round trips, and rejection of every tampered variant with its reason.
@Suite struct CertificateTests {
    static func certificate(_ widths: [Int], samples: Int, seed: UInt64 = 1, parts: [HessianPart] = HessianPart.allCases) throws -> Data {
        let problem = try Generator.draw(Architecture(widths: widths), samples: samples, seed: seed)
        var primes = SplitMix64(seed: seed, stream: 4)
        return try CertificateBuilder.build(problem, seed: seed, parts: parts, witnessPrime: { Primes.random(using: &primes) }).fileData()
    }

    /// The paper's demo configuration: certify, then check; the ranks are 250, 150, 175.
    @Test func demoRoundTrip() throws {
        let summary = try CertificateCheck.check(try Self.certificate([25, 5, 10, 10], samples: 50))
        #expect(summary.parts.map { "\($0.part) \($0.rank)" } == ["loss 250", "outer 150", "functional 175"])
        #expect(summary.parameters == 275 && summary.samples == 50)
    }

    /// Ranks agree with the multimodular certified rank (an independent exact method) on the small-case shapes.
    @Test(arguments: [([3, 2], 4), ([4, 1, 3], 5), ([5, 3, 1], 3), ([3, 2, 3, 2], 4), ([2, 2, 1, 2, 2, 2], 3)])
    func agreesWithMultimodularCertification(widths: [Int], samples: Int) throws {
        let summary = try CertificateCheck.check(try Self.certificate(widths, samples: samples, seed: 5))
        let problem = try Generator.draw(Architecture(widths: widths), samples: samples, seed: 5)
        let hessian = StructuredHessian(problem)
        for part in summary.parts {
            #expect(part.rank == (try CertifiedRank.rank(of: hessian.source(for: HessianPart(rawValue: part.part)!)).rank),
                    "\(widths): \(part.part)")
        }
    }

    // MARK: ReLU

    static func reluCertificate(_ widths: [Int], samples: Int, seed: UInt64) throws -> Data {
        let problem = try Generator.draw(Architecture(widths: widths), samples: samples, seed: seed)
        var primes = SplitMix64(seed: seed, stream: 4)
        return try CertificateBuilder.build(problem, seed: seed, parts: HessianPart.allCases, activation: .relu,
                                            witnessPrime: { Primes.random(using: &primes) }).fileData()
    }

    /// ReLU networks: the checker rebuilds the Hessians with the masks (HessianReference's direct route) and the
    /// claimed ranks equal the multimodular certified ranks of the producer's per-sample block construction. For the
    /// first network they differ from the linear network's, which are the formula's (r = 6, K = 2, q = 2:
    /// H_O = q(r + K - q) = 12, H_F = 2q(4 + 4) + 2q s - L q^2 = 28, H_L = q(r + K) + 2q(4 + 4) - L q^2 = 36), so the
    /// checker did rebuild the ReLU Hessians.
    @Test(arguments: [([6, 4, 4, 2], 7), ([5, 3, 3], 6), ([4, 3, 2, 3, 2], 5)])
    func reluRoundTrip(widths: [Int], samples: Int) throws {
        let summary = try CertificateCheck.check(try Self.reluCertificate(widths, samples: samples, seed: 1))
        #expect(summary.activation == "relu")
        let problem = try Generator.draw(Architecture(widths: widths), samples: samples, seed: 1)
        let hessian = try PiecewiseLinearHessian(problem, activation: .relu)
        for part in summary.parts {
            #expect(part.rank == (try CertifiedRank.rank(of: hessian.source(for: HessianPart(rawValue: part.part)!)).rank),
                    "\(widths): \(part.part)")
        }
        if widths == [6, 4, 4, 2] {
            let linear = try CertificateCheck.check(try Self.certificate(widths, samples: samples, seed: 1))
            #expect(linear.parts.map(\.rank) == [36, 12, 28])
            #expect(summary.parts.map(\.rank) != linear.parts.map(\.rank))
        }
    }

    /// A ReLU certificate relabelled "linear", digests recomputed: the linear Hessians have other ranks, and the
    /// witnesses fail on them.
    @Test func relabelledActivationIsCaughtByTheMathematics() throws {
        let relabelled = try Self.tampered(try Self.reluCertificate([6, 4, 4, 2], samples: 7, seed: 1), resign: true) { o in
            Self.editNetwork(&o) { $0["activation"] = "linear" }
        }
        let reason = try #require(Self.reason(relabelled))
        #expect(reason.hasPrefix("loss: "), "\(reason)")
    }

    // MARK: tampering

    /// Applies `edit` to the parsed certificate and returns the file; with `resign`, recomputes both digests so that
    /// only the mathematical checks can catch the change.
    static func tampered(_ data: Data, resign: Bool = false, _ edit: (inout [String: Any]) -> Void) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        edit(&object)
        if resign {
            object["inputsDigest"] = try CanonicalJSON.digest(object["network"]!)
            object.removeValue(forKey: "certificateDigest")
            object["certificateDigest"] = try CanonicalJSON.digest(object)
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    static func reason(_ data: Data) -> String? {
        do {
            _ = try CertificateCheck.check(data)
            return nil
        } catch {
            return error.reason
        }
    }

    static func editPart(_ object: inout [String: Any], _ index: Int, _ edit: (inout [String: Any]) -> Void) {
        var parts = object["parts"] as! [[String: Any]]
        edit(&parts[index])
        object["parts"] = parts
    }

    static func editWitness(_ object: inout [String: Any], _ index: Int, _ edit: (inout [String: Any]) -> Void) {
        editPart(&object, index) { part in
            var witness = part["witness"] as! [String: Any]
            edit(&witness)
            part["witness"] = witness
        }
    }

    static func editNetwork(_ object: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var network = object["network"] as! [String: Any]
        edit(&network)
        object["network"] = network
    }

    /// Every field changed, without re-signing: rejected, with the reason named.
    @Test func everyTamperedFieldIsRejected() throws {
        let valid = try Self.certificate([4, 3, 2], samples: 5)
        #expect(Self.reason(valid) == nil)
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            ("formatVersion", { $0["formatVersion"] = 4 }, "unknown format version 4"),
            ("formatVersion 3", { $0["formatVersion"] = 3 }, "certificateDigest does not match"),
            ("formatVersion missing", { $0.removeValue(forKey: "formatVersion") }, "missing formatVersion"),
            ("type", { $0["type"] = "something-else" }, "type must be"),
            ("generator", { $0["generator"] = "other" }, "certificateDigest does not match"),
            ("flintVersion", { $0["flintVersion"] = "3.0.0" }, "certificateDigest does not match"),
            ("seed", { $0["seed"] = "2" }, "certificateDigest does not match"),
            ("samples", { $0["samples"] = 6 }, "samples is 6 but the data has 5 rows"),
            ("parameters", { $0["parameters"] = 19 }, "parameters is 19 but the architecture has p = 18"),
            ("a weight", { Self.editNetwork(&$0) { n in var w = n["weights"] as! [[[String]]]; w[0][0][0] = "17"; n["weights"] = w } }, "inputsDigest does not match"),
            ("a sample", { Self.editNetwork(&$0) { n in var x = n["x"] as! [[String]]; x[1][2] = "0"; n["x"] = x } }, "inputsDigest does not match"),
            ("a target", { Self.editNetwork(&$0) { n in var y = n["y"] as! [[String]]; y[0][0] = "1"; n["y"] = y } }, "inputsDigest does not match"),
            ("architecture", { Self.editNetwork(&$0) { $0["architecture"] = [4, 2, 3] } }, "network: shapes do not match the architecture"),
            ("activation", { Self.editNetwork(&$0) { $0["activation"] = "tanh" } }, "network.activation: \"tanh\" is not certified"),
            ("activation linear to relu", { Self.editNetwork(&$0) { $0["activation"] = "relu" } }, "inputsDigest does not match"),
            ("loss", { Self.editNetwork(&$0) { $0["loss"] = "cross-entropy" } }, "only \"mse\""),
            ("inputsDigest", { $0["inputsDigest"] = String(repeating: "0", count: 64) }, "inputsDigest does not match"),
            ("certificateDigest", { $0["certificateDigest"] = String(repeating: "0", count: 64) }, "certificateDigest does not match"),
            ("rank", { Self.editPart(&$0, 0) { $0["rank"] = 15 } }, "claimed rank 15 but the witness minor is 16 x 16"),
            ("part name", { Self.editPart(&$0, 1) { $0["part"] = "hessian" } }, "unknown Hessian part"),
            ("duplicate part", { Self.editPart(&$0, 1) { $0["part"] = "loss" } }, "part \"loss\" appears twice"),
            ("witness method", { Self.editWitness(&$0, 0) { $0["method"] = "trust-me" } }, "unknown witness method"),
            ("prime", { Self.editWitness(&$0, 0) { $0["prime"] = "9223372036854775807" } }, "is not prime"),
            ("another prime", { Self.editWitness(&$0, 0) { $0["prime"] = "9223372036854775783" } }, "but the certificate says"),
            ("determinant", { Self.editWitness(&$0, 0) { $0["determinantResidue"] = "12345" } }, "but the certificate says 12345"),
            ("a row index", { Self.editWitness(&$0, 0) { var r = $0["rows"] as! [Int]; r[0] = r[1]; $0["rows"] = r } }, "an index is repeated"),
            ("an index out of range", { Self.editWitness(&$0, 0) { var r = $0["columns"] as! [Int]; r[0] = 18; $0["columns"] = r } }, "outside 0..<18"),
            ("parts empty", { $0["parts"] = [Any]() }, "parts is empty"),
        ]
        for (field, edit, expected) in cases {
            let reason = Self.reason(try Self.tampered(valid, edit))
            #expect(reason?.contains(expected) == true, "\(field): got \(reason ?? "accepted")")
        }
        #expect(Self.reason(Data("{\"formatVersion\": 1,".utf8))?.hasPrefix("malformed JSON") == true)
        #expect(Self.reason(Data("[1, 2]".utf8)) == "malformed JSON: the top level is not an object")
    }

    /// Mathematical tampering with both digests recomputed: the witnesses themselves must fail.
    @Test func resignedTamperingIsCaughtByTheMathematics() throws {
        let valid = try Self.certificate([4, 3, 2], samples: 5)
        let object = try #require(try JSONSerialization.jsonObject(with: valid) as? [String: Any])
        let loss = (object["parts"] as! [[String: Any]])[0]
        let witness = loss["witness"] as! [String: Any]
        let rows = witness["rows"] as! [Int]
        #expect(loss["part"] as? String == "loss" && rows.count == 16)

        // Claim one less: drop one index, with the true determinant of the smaller minor (computed here from the
        // structured Hessian), so that only the span check can object.
        let prime = UInt(witness["prime"] as! String)!
        let problem = try Generator.draw(Architecture(widths: [4, 3, 2]), samples: 5, seed: 1)
        let smaller = Array(rows.dropLast())
        let residue = StructuredHessian(problem).source(for: .loss).reduced(modulo: prime)
            .submatrix(rows: smaller, columns: smaller).determinant()
        try #require(residue != 0, "the test needs a nonsingular smaller minor")
        let lower = try Self.tampered(valid, resign: true) { o in
            Self.editPart(&o, 0) { $0["rank"] = 15 }
            Self.editWitness(&o, 0) { w in
                w["rows"] = smaller; w["columns"] = smaller; w["determinantResidue"] = String(residue)
            }
        }
        #expect(Self.reason(lower) == "loss: column \(rows.last!) is not in the span of the witness columns, so the rank exceeds 15")

        // Claim one more: add an index. The (rho+1)-minor is zero modulo every prime.
        let extra = (0..<18).first { !rows.contains($0) }!
        let higher = try Self.tampered(valid, resign: true) { o in
            Self.editPart(&o, 0) { $0["rank"] = 17 }
            Self.editWitness(&o, 0) { w in
                w["rows"] = rows + [extra]; w["columns"] = (w["columns"] as! [Int]) + [extra]
            }
        }
        #expect(Self.reason(higher)?.contains("singular modulo") == true)

        // A changed weight, re-signed, is the certificate of another network: rank claims are re-proved from
        // scratch, so it is accepted only if it is true. Here a weight change keeps the ranks: accepted, correctly.
        let other = try Self.tampered(valid, resign: true) { o in
            Self.editNetwork(&o) { n in var w = n["weights"] as! [[[String]]]; w[0][0][0] = String(Int(w[0][0][0])! + 1); n["weights"] = w }
        }
        let otherReason = Self.reason(other)
        #expect(otherReason == nil || otherReason!.contains("but the certificate says"), "\(otherReason ?? "")")
    }
}
