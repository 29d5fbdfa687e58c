import Foundation
import SHA256Digest
import Testing

/// check-certificate on files above its limits, as a user runs it: `invalid: <reason>` on stdout, nothing on stderr,
/// exit 1, as for every invalid certificate; an unreadable path stays bad input (exit 2).
@Suite struct CheckCertificateLimitsTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hessian-rank-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func expectInvalid(_ run: Run, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 1, "stderr: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stdout == "invalid: \(reason)\n", sourceLocation: sourceLocation)
        #expect(run.stderr.isEmpty, sourceLocation: sourceLocation)
    }

    /// The review's certificate: widths 300,300 with weights, data and targets to match and both digests re-signed
    /// (it used to abort, asking for 130 GB); and a large unknown field, refused at its key.
    @Test func certificatesAboveTheLimitsAreInvalid() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("c.json").path
        let made = try Binary.run(["certify", "--arch", "4,3,2", "--samples", "5", "--out", file])
        #expect(made.status == 0, "stderr: \(made.stderr)")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])

        var large = object
        large["zzz"] = String(repeating: "x", count: 1 << 20)
        try JSONSerialization.data(withJSONObject: large, options: [.sortedKeys]).write(to: URL(fileURLWithPath: file))
        Self.expectInvalid(try Binary.run(["check-certificate", file]), "unknown key \"zzz\" at the top level (format version 2 has certificateDigest, flintVersion, formatVersion, generator, inputsDigest, network, parameters, parts, samples, seed, type)")

        var network = try #require(object["network"] as? [String: Any])
        let ones = [[String]](repeating: [String](repeating: "1", count: 300), count: 300)
        network["architecture"] = [300, 300]
        network["weights"] = [ones]
        network["x"] = Array(ones.prefix(4))
        network["y"] = [[String]](repeating: [String](repeating: "0", count: 300), count: 4)
        object["network"] = network
        object["samples"] = 4
        object["parameters"] = 90_000
        object["inputsDigest"] = try CanonicalJSON.digest(network)
        object.removeValue(forKey: "certificateDigest")
        object["certificateDigest"] = try CanonicalJSON.digest(object)
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]).write(to: URL(fileURLWithPath: file))
        Self.expectInvalid(try Binary.run(["check-certificate", file]), "network.architecture has p = 90000 parameters, above the checker's limit of 1000 (certify's limit)")
    }

    /// A file above 64 MiB is refused from its size (a sparse file: nothing is written or read); a device without a
    /// size is read up to one byte past the limit.
    @Test func filesAboveTheSizeLimitAreInvalid() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("large.json").path
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: file))
        try handle.truncate(atOffset: 64 << 20 + 1)
        try handle.close()
        Self.expectInvalid(try Binary.run(["check-certificate", file]), "the file has 67108865 bytes, above the checker's limit of 67108864 (64 MiB)")
        Self.expectInvalid(try Binary.run(["check-certificate", "/dev/zero"]), "the file has more than 67108864 bytes, above the checker's limit of 67108864 (64 MiB)")
        let folder = try Binary.run(["check-certificate", directory.path])
        #expect(folder.status == 2 && folder.stdout.isEmpty && folder.stderr == "error: cannot read \(directory.path): it is a directory\n")
    }

    /// --help states every limit.
    /// certify refuses up front (exit 2, before any work) a network whose certificate the checker would refuse: here
    /// p = 1000 and N = 308 put the rebuild at 2,002,000,000 multiply-adds, above the checker's 2 * 10^9.
    @Test func certifyRefusesWhatTheCheckerWouldRefuse() throws {
        let run = try Binary.run(["certify", "--arch", "20,40,5", "--samples", "308",
                                  "--out", FileManager.default.temporaryDirectory.appendingPathComponent("never.json").path])
        #expect(run.status == 2 && run.stdout.isEmpty)
        #expect(run.stderr.contains("certify: check-certificate would refuse this certificate: rebuilding the Hessians (p = 1000, N = 308, K = 5)"),
                "stderr: \(run.stderr)")
    }

    @Test func helpStatesTheLimits() throws {
        let run = try Binary.run(["check-certificate", "--help"])
        #expect(run.status == 0)
        let help = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for limit in ["at most 67108864 bytes (64 MiB)", "only the format's keys, each once", "nesting at most 5 deep",
                      "strings at most 64 bytes", "numbers integers of at most 19 characters", "at most 1034100 values",
                      "at most 1001 widths", "p at most 1000 parameters", "N at most 10000 samples",
                      "N (d + K) at most 1000000 entries", "at most 2000000000 multiply-adds", "at most 39 digits",
                      "at most 1000 layers", "at most 3000 parameters p_u", "counted in p_u (N p_u^2 (K + 8) / 2)"] {
            #expect(help.contains(limit), "--help should state: \(limit)")
        }
    }
}
