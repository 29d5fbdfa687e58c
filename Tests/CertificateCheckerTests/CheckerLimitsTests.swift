import CertificateChecker
import Foundation
import HessianCore
import Testing

/// The checker's limits: each refusal names its limit, happens before the work it guards (shown by what the checker
/// does not get to: a malformed value after an unknown key, shapes that would fail later), and moves exactly at the
/// limit. Sizes at the limits are built from empty rows, so that no test builds a large matrix.
@Suite struct CheckerLimitsTests {
    typealias Limits = CertificateCheck.Limits

    static func valid() throws -> Data { try CertificateTests.certificate([4, 3, 2], samples: 5) }

    static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    /// The reason for the certificate `valid()` with `old` replaced by `new` in its (pretty-printed) text.
    static func reason(replacing old: String, with new: String) throws -> String? {
        let text = Self.text(try valid())
        try #require(text.contains(old), "the test expects \(old) in the certificate")
        return CertificateTests.reason(Data(text.replacingOccurrences(of: old, with: new).utf8))
    }

    /// `valid()` with the architecture and data replaced (not re-signed): widths, and N empty rows of x and y.
    static func reason(widths: [Int], samples: Int = 5) throws -> String? {
        CertificateTests.reason(try CertificateTests.tampered(try valid()) { o in
            CertificateTests.editNetwork(&o) { n in
                n["architecture"] = widths
                if samples != 5 {
                    n["x"] = [[String]](repeating: [], count: samples)
                    n["y"] = [[String]](repeating: [], count: samples)
                }
            }
        })
    }

    static let shapesFail = "network: shapes do not match the architecture"

    // MARK: the network

    /// The producer refuses to certify above CertificationLimit.parameters, and the checker keeps its own copy of
    /// that limit (it does not import HessianCore): they must agree.
    @Test func parameterLimitIsTheProducers() {
        #expect(Limits.parameters == CertificationLimit.parameters)
    }

    /// p = 1000 passes the limit (and fails later, on the shapes); p = 1001 and 1002 are refused; so are widths whose
    /// products overflow, and more widths than p allows.
    @Test func parameterCountMovesAtTheLimit() throws {
        #expect(try Self.reason(widths: [1000, 1])?.hasPrefix(Self.shapesFail) == true)
        #expect(try Self.reason(widths: [1001, 1]) == "network.architecture has p = 1001 parameters, above the checker's limit of 1000 (certify's limit)")
        #expect(try Self.reason(widths: [500, 2, 1]) == "network.architecture has p = 1002 parameters, above the checker's limit of 1000 (certify's limit)")
        #expect(try Self.reason(widths: [300, 300]) == "network.architecture has p = 90000 parameters, above the checker's limit of 1000 (certify's limit)")
        for widths in [[1 << 32, 1 << 32], [Int.max, 2], [2, 1 << 62, 2, 1 << 62, 4]] {
            #expect(try Self.reason(widths: widths) == "network.architecture has more than 2^63 parameters, above the checker's limit of 1000 (certify's limit)")
        }
        #expect(try Self.reason(widths: [Int](repeating: 1, count: 1001))?.hasPrefix(Self.shapesFail) == true)
        #expect(try Self.reason(widths: [Int](repeating: 1, count: 1002))?.hasPrefix("network.architecture lists 1002 widths, above the checker's limit of 1001") == true)
    }

    /// The review's certificates: widths 300,300 (p = 90,000: three Hessians of 130 GB, which aborted the checker) and
    /// 100,100 (p = 10,000: 41 s and 4.7 GB before the verdict), with weights, data and targets to match and both
    /// digests re-signed, so that nothing but the limit stands before the rebuild. Refused at the limit. At p = 1000
    /// the same construction passes the limits and is refused by the witnesses (they were made for another network).
    @Test func resizedAndResignedNetworksStopAtTheLimits() throws {
        let target = try CertificateFuzzTests.Target(try Self.valid())
        func reason(_ widths: [Int], samples: Int) -> String? {
            CertificateTests.reason(CertificateFuzzTests.apply(.resized(widths, samples: samples), to: target))
        }
        #expect(reason([300, 300], samples: 4) == "network.architecture has p = 90000 parameters, above the checker's limit of 1000 (certify's limit)")
        #expect(reason([100, 100], samples: 4) == "network.architecture has p = 10000 parameters, above the checker's limit of 1000 (certify's limit)")
        #expect(reason([2, 1], samples: 10_001) == "network.x has 10001 samples, above the checker's limit of 10000")
        let atTheLimit = reason([1000, 1], samples: 1)
        #expect(atTheLimit?.hasPrefix("loss: the witness minor is") == true, "\(atTheLimit ?? "accepted")")
    }

    /// N: 10,000 passes, 10,001 is refused.
    @Test func sampleCountMovesAtTheLimit() throws {
        #expect(try Self.reason(widths: [4, 3, 2], samples: 10_000)?.hasPrefix(Self.shapesFail) == true)
        #expect(try Self.reason(widths: [4, 3, 2], samples: 10_001) == "network.x has 10001 samples, above the checker's limit of 10000")
    }

    /// N (d + K) with d = 400, K = 1: 2493 * 401 = 999,693 passes, 2494 * 401 = 1,000,094 is refused.
    @Test func dataEntriesMoveAtTheLimit() throws {
        #expect(try Self.reason(widths: [400, 1], samples: 2493)?.hasPrefix(Self.shapesFail) == true)
        #expect(try Self.reason(widths: [400, 1], samples: 2494) == "network.x and network.y have N (d + K) = 1000094 entries, above the checker's limit of 1000000")
    }

    /// The rebuild's work N p^2 (K + 8) / 2 for widths 20,40,5 (p = 1000, K = 5) is 6.5 * 10^6 N: N = 307 gives
    /// 1,995,500,000 (passes), N = 308 gives 2,002,000,000 (refused).
    @Test func rebuildWorkMovesAtTheLimit() throws {
        #expect(Limits.work(samples: 307, parameters: 1000, outputs: 5) == 1_995_500_000)
        #expect(Limits.work(samples: 1, parameters: 2, outputs: 0) == 16)
        #expect(Limits.work(samples: 1 << 40, parameters: 1 << 12, outputs: 1) == nil)
        #expect(try Self.reason(widths: [20, 40, 5], samples: 307)?.hasPrefix(Self.shapesFail) == true)
        #expect(try Self.reason(widths: [20, 40, 5], samples: 308) == "rebuilding the Hessians (p = 1000, N = 308, K = 5) takes N p^2 (K + 8) / 2 = 2002000000 multiply-adds, above the checker's limit of 2000000000")
    }

    /// 39 digits pass (and the changed entry is then caught by the digest); 40 are refused, before any conversion.
    @Test func decimalDigitsMoveAtTheLimit() throws {
        for (entry, expected) in [("1" + String(repeating: "0", count: 38), "inputsDigest does not match"),
                                  ("-" + String(repeating: "9", count: 39), "exceeds the checker's 127-bit range"),
                                  ("1" + String(repeating: "0", count: 39), "network.x[0][0] has 40 digits, above the checker's limit of 39 (2^127 has 39)")] {
            let reason = CertificateTests.reason(try CertificateTests.tampered(try Self.valid()) { o in
                CertificateTests.editNetwork(&o) { n in var x = n["x"] as! [[String]]; x[0][0] = entry; n["x"] = x }
            })
            #expect(reason?.contains(expected) == true, "\(entry.count) characters: \(reason ?? "accepted")")
        }
    }

    // MARK: the JSON, before any value is parsed

    static let rootKeys = "certificateDigest, flintVersion, formatVersion, generator, inputsDigest, network, parameters, parts, samples, seed, type"

    /// An unknown key is refused when it is read: the value after it is never parsed, so that a malformed or huge
    /// value there makes no difference.
    @Test func unknownKeysAreRefusedBeforeTheirValues() throws {
        // Before the file has said which version it is, its keys are held to the newest version's.
        let expected = "unknown key \"zzz\" at the top level (format version 3 has \(Self.rootKeys))"
        #expect(try Self.reason(replacing: "{\n  \"certificateDigest\"", with: "{\"zzz\": [[[[[[[[[[ 1, {]\n  \"certificateDigest\"") == expected)
        let huge = "\"" + String(repeating: "x", count: 1 << 20) + "\""
        #expect(try Self.reason(replacing: "{\n  \"certificateDigest\"", with: "{\"zzz\": \(huge),\n  \"certificateDigest\"") == expected)
        #expect(try Self.reason(replacing: "\"network\" : {", with: "\"network\" : {\"zzz\": 1,")
                == "unknown key \"zzz\" in network (format version 2 has activation, architecture, biases, loss, weights, x, y)")
        let inPart = CertificateTests.reason(try CertificateTests.tampered(try Self.valid()) { CertificateTests.editPart(&$0, 1) { $0["zzz"] = 1 } })
        #expect(inPart == "unknown key \"zzz\" in parts[1] (format version 2 has part, rank, witness)")
        let inWitness = CertificateTests.reason(try CertificateTests.tampered(try Self.valid()) { CertificateTests.editWitness(&$0, 2) { $0["zzz"] = [Int]() } })
        #expect(inWitness == "unknown key \"zzz\" in parts[2].witness (format version 2 has columns, determinantResidue, method, prime, rows, statement)")
        // An object where the format has none may have no keys at all.
        let junk = CertificateTests.reason(try CertificateTests.tampered(try Self.valid()) { CertificateTests.editNetwork(&$0) { $0["x"] = [[["a": 1]]] } })
        #expect(junk == "unknown key \"a\" in network.x[0][0] (the format has no object here)")
        let empty = CertificateTests.reason(try CertificateTests.tampered(try Self.valid()) { CertificateTests.editNetwork(&$0) { $0["x"] = [[[String: Int]()]] } })
        #expect(empty == "network.x[0][0] must be a decimal integer string")
        let long = String(repeating: "k", count: 65)
        #expect(try Self.reason(replacing: "\"network\" : {", with: "\"network\" : {\"\(long)\": 1,") == "unknown key of more than 64 bytes in network")
    }

    /// A key is what it decodes to: an escaped spelling of a key of the format is that key (and the certificate is
    /// still valid); an escaped unknown key is shown as written.
    @Test func escapedKeysAreDecoded() throws {
        #expect(try Self.reason(replacing: "\"formatVersion\"", with: "\"form\\u0061tVersion\"") == nil)
        #expect(try Self.reason(replacing: "\"network\" : {", with: "\"network\" : {\"\\u007a\\n\": 1,")
                == "unknown key \"\\u007a\\n\" in network (format version 2 has activation, architecture, biases, loss, weights, x, y)")
    }

    /// One key twice would leave only one of the values to the parser (and to the digests): refused.
    @Test func repeatedKeysAreRefused() throws {
        #expect(try Self.reason(replacing: "\"generator\" :", with: "\"generator\" : \"x\", \"generator\" :") == "key \"generator\" appears twice at the top level")
        #expect(try Self.reason(replacing: "\"loss\" :", with: "\"loss\" : \"mse\", \"loss\" :") == "key \"loss\" appears twice in network")
    }

    /// The format version is still the first reason: a refusal after reading a version other than 1, 2 or 3 names the version.
    @Test func formatVersionComesFirst() throws {
        #expect(try Self.reason(replacing: "\"network\" : {", with: "\"network\" : {\"zzz\": 1,")?.hasPrefix("unknown key") == true)
        let text = Self.text(try Self.valid()).replacingOccurrences(of: "\"formatVersion\" : 2", with: "\"formatVersion\" : 4")
            .replacingOccurrences(of: "\"network\" : {", with: "\"network\" : {\"zzz\": 1,")
        #expect(CertificateTests.reason(Data(text.utf8)) == "unknown format version 4 (this checker reads versions 1 to 3)")
        #expect(try Self.reason(replacing: "\"formatVersion\" : 2", with: "\"formatVersion\" : 1.5") == "formatVersion must be an integer (the format has no fractions or exponents)")
    }

    /// Nesting: 5 levels pass (the generator is then refused for its type), 6 are refused; so is a million.
    @Test func nestingMovesAtTheLimit() throws {
        #expect(try Self.reason(replacing: "\"generator\" : \"hessian-rank\"", with: "\"generator\" : [[[[]]]]") == "generator must be a string")
        #expect(try Self.reason(replacing: "\"generator\" : \"hessian-rank\"", with: "\"generator\" : [[[[[]]]]]") == "generator[0][0][0][0]: nested deeper than the format's 5 levels")
        let deep = String(repeating: "[", count: 1_000_000) + String(repeating: "]", count: 1_000_000)
        #expect(try Self.reason(replacing: "\"generator\" : \"hessian-rank\"", with: "\"generator\" : \(deep)") == "generator[0][0][0][0]: nested deeper than the format's 5 levels")
    }

    /// Strings: 64 bytes pass (the change is then caught by the digest), 65 are refused.
    @Test func stringLengthMovesAtTheLimit() throws {
        #expect(try Self.reason(replacing: "\"seed\" : \"1\"", with: "\"seed\" : \"\(String(repeating: "1", count: 64))\"") == "the certificate changed after it was written (certificateDigest does not match)")
        #expect(try Self.reason(replacing: "\"seed\" : \"1\"", with: "\"seed\" : \"\(String(repeating: "1", count: 65))\"") == "seed: a string longer than 64 bytes, the checker's limit (the format's longest string is a 64-digit digest)")
    }

    /// Numbers: integers of 19 characters pass, 20 are refused; fractions and exponents are refused.
    @Test func numbersAreShortIntegers() throws {
        #expect(try Self.reason(replacing: "\"samples\" : 5", with: "\"samples\" : 1000000000000000000") == "samples is 1000000000000000000 but the data has 5 rows")
        #expect(try Self.reason(replacing: "\"samples\" : 5", with: "\"samples\" : 10000000000000000000") == "samples: a number of more than 19 characters, the checker's limit")
        for number in ["5.0", "5e0", "0.5E+1"] {
            #expect(try Self.reason(replacing: "\"samples\" : 5", with: "\"samples\" : \(number)") == "samples must be an integer (the format has no fractions or exponents)")
        }
    }

    /// Values: a file with Limits.values values passes the first pass (and is then not a certificate); one more is
    /// refused. The root object and the array are two of the values.
    @Test func valueCountMovesAtTheLimit() {
        func document(zeros: Int) -> Data {
            Data(("{\"certificateDigest\": [" + [String](repeating: "0", count: zeros).joined(separator: ",") + "]}").utf8)
        }
        #expect(CertificateTests.reason(document(zeros: Limits.values - 2)) == "missing formatVersion: not a HessianRank certificate")
        #expect(CertificateTests.reason(document(zeros: Limits.values - 1)) == "the file holds more than 1034100 JSON values, the most a certificate within the checker's limits can hold")
    }

    /// Syntax errors are found by the first pass, with the byte where it stopped.
    @Test func malformedJSONIsRefused() throws {
        #expect(CertificateTests.reason(Data()) == "malformed JSON: the file is empty")
        #expect(CertificateTests.reason(Data("{} x".utf8)) == "malformed JSON: unexpected characters after the top-level object at byte 3")
        #expect(CertificateTests.reason(Data("{\"seed\": \"1\u{1}\"}".utf8)) == "malformed JSON: a control character inside a string at byte 11")
        #expect(CertificateTests.reason(Data("{\"seed\": tru}".utf8)) == "malformed JSON: unexpected character at byte 9")
        let valid = try Self.valid()
        for cut in [1, valid.count / 2, valid.count - 1] {
            #expect(CertificateTests.reason(valid.prefix(cut))?.hasPrefix("malformed JSON: ") == true, "cut at \(cut)")
        }
    }

    /// Fields the checker does not interpret must still have the format's types.
    @Test func uninterpretedFieldsAreTyped() throws {
        #expect(try Self.reason(replacing: "\"generator\" : \"hessian-rank\"", with: "\"generator\" : 5") == "generator must be a string")
        #expect(try Self.reason(replacing: "\"seed\" : \"1\"", with: "\"seed\" : null") == "seed must be a string")
    }

    // MARK: the file

    /// Above the limit, the bytes are refused before they are parsed; the file before it is read.
    @Test func fileSizeMovesAtTheLimit() throws {
        #expect(CertificateTests.reason(Data(count: Limits.fileBytes + 1)) == "the file has 67108865 bytes, above the checker's limit of 67108864 (64 MiB)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("checker-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for size in [Limits.fileBytes, Limits.fileBytes + 1] {
            // Sparse files: the size is set, nothing is written.
            let path = directory.appendingPathComponent("\(size).json").path
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: UInt64(size))
            try handle.close()
            do {
                #expect(try CertificateFile.read(path).count == Limits.fileBytes, "\(size) bytes")
            } catch {
                guard case .tooLarge(let failure) = error else { Issue.record("\(size) bytes: \(error)"); continue }
                #expect(size == Limits.fileBytes + 1 && failure.reason == "the file has 67108865 bytes, above the checker's limit of 67108864 (64 MiB)")
            }
        }
        // A device without a size: read up to one byte past the limit, then refused.
        #expect(throws: CertificateFile.ReadFailure.self) { try CertificateFile.read("/dev/zero") }
        do { _ = try CertificateFile.read("/dev/zero") } catch {
            guard case .tooLarge(let failure) = error else { Issue.record("/dev/zero: \(error)"); return }
            #expect(failure.reason == "the file has more than 67108864 bytes, above the checker's limit of 67108864 (64 MiB)")
        }
        do { _ = try CertificateFile.read(directory.appendingPathComponent("missing.json").path) } catch {
            guard case .unreadable = error else { Issue.record("missing file: \(error)"); return }
        }
    }
}
