import CertificateChecker
import Foundation
import Testing

/// The certificates in proofs/certificates, re-verified on every run. Each claimed rank must also be the value the
/// formula statement gives (worked by hand below), so these files are exact, checkable evidence for each formula; the
/// convolutional one's ranks each meet an upper bound worked by hand below.
@Suite struct CheckedInCertificatesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("proofs/certificates")

    /// file -> the ranks it must certify, from the formulas by hand:
    static let expected: [String: [String]] = [
        // d = 25, [5, 10], K = 10, r = 25: s = 10, q = 5: 5 * 30 = 150; 2*5*15 + 2*5*10 - 3*25 = 175; 150 + 175 - 5*15 = 250.
        "demo-25-5-10-10.json": ["loss 250", "outer 150", "functional 175"],
        // r = 4, K = 2, q = 2: 2 * (4 + 2 - 2) = 8.
        "outer-4-3-2.json": ["outer 8"],
        // L = 2: 2 M_1 s = 2 * 2 * 5 = 20.
        "functional-6-2-5.json": ["functional 20"],
        // r = 4 (N = 4 < d), K = 2: s = q = 2; 2*2*(3+4) + 2*2*2 - 3*4 = 24.
        "functional-5-3-4-2.json": ["functional 24"],
        // r = 3 (prescribed), K = 5: s = 3, q = 2; 2*(3+5) + 2*2*2 - 2*4 = 16.
        "loss-6-2-5-rank3.json": ["loss 16"],
        // L = 1: H_F = 0, H_L = H_O of rank r K = 3 * 2 = 6.
        "one-layer-3-2.json": ["loss 6", "outer 6", "functional 0"],
        // Format version 3, a linear CNN: input 1x6x6, conv:2:3:s2 (2 x 2 x 2 outputs, 18 weights), dense:3 (3 x 8 = 24),
        // N = 4: p = 42. Each rank meets an upper bound that holds at every point: H_L = p = 42; H_O = J^T J with
        // N K = 12 rows of J; two layers, so H_F = [[0, B^T], [B, 0]] (no second derivative within a layer) has rank
        // 2 rank B <= 2 min(18, 24) = 36.
        "conv-1x6x6-2-3-s2-3.json": ["loss 42", "outer 12", "functional 36"],
    ]

    @Test func everyCheckedInCertificateIsValid() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(Set(files) == Set(Self.expected.keys), "proofs/certificates and this table must list the same files")
        for file in files {
            let summary = try CertificateCheck.check(try Data(contentsOf: Self.directory.appendingPathComponent(file)))
            #expect(summary.parts.map { "\($0.part) \($0.rank)" } == Self.expected[file], "\(file)")
        }
    }
}
