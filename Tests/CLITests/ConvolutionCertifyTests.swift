import Foundation
import Testing

/// `certify --input ... --layers ...` and `check-certificate` on its file, as a user runs them: the certificate (format
/// version 3) holds the network `rank --input ... --layers ...` draws from the same seed, and its ranks are the ones
/// `rank ... --certify` prints; exit 0 valid, 1 invalid, 2 bad input.
@Suite struct ConvolutionCertifyTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hessian-rank-conv-certify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// 2-D with stride 2, 1-D with same padding and a bias in every layer, two input channels with a bias on one
    /// layer and another seed.
    @Test(arguments: [
        ["--input", "1x6x6", "--layers", "conv:2:3:s2,dense:3", "--samples", "4"],
        ["--input", "1x10", "--layers", "conv:2:3:same,dense:2", "--samples", "5", "--bias"],
        ["--input", "2x4x4", "--layers", "conv:2:2:s2:bias,dense:2", "--samples", "3", "--seed", "7"],
    ])
    func certifyThenCheckGivesTheRanksOfRank(network: [String]) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("conv.json").path
        let made = try Binary.run(["certify"] + network + ["--out", file])
        #expect(made.status == 0, "stderr: \(made.stderr)")
        let checked = try Binary.run(["check-certificate", file])
        #expect(checked.status == 0 && checked.stderr.isEmpty, "stderr: \(checked.stderr)")
        #expect(made.stdout == "wrote \(file): \(checked.stdout)")
        #expect(checked.stdout.hasPrefix("valid: ") && checked.stdout.contains(" for the convolutional network input "))

        let certificate = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        #expect(certificate["formatVersion"] as? Int == 3)
        let claimed = try #require(certificate["parts"] as? [[String: Any]]).map { "\($0["part"]!) \($0["rank"]!)" }

        let ranked = try Binary.run(["rank"] + network + ["--certify", "--json"])
        #expect(ranked.status == 0, "stderr: \(ranked.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(ranked.stdout.utf8)) as? [String: Any])
        let parts = try #require(report["parts"] as? [[String: Any]])
        #expect(parts.allSatisfy { $0["method"] as? String == "multimodular-hadamard" })
        #expect(claimed == parts.map { "\($0["part"]!) \($0["rank"]!)" })
        #expect(certificate["parameters"] as? Int == report["parameters"] as? Int)
    }

    /// A changed claimed rank: invalid (exit 1, the reason on stdout); one part only with --part.
    @Test func invalidCertificateExitsOne() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("conv.json").path
        let made = try Binary.run(["certify", "--input", "1x6", "--layers", "conv:2:3,dense:2", "--samples", "3", "--part", "outer", "--out", file])
        #expect(made.status == 0, "stderr: \(made.stderr)")
        let url = URL(fileURLWithPath: file)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var parts = try #require(object["parts"] as? [[String: Any]])
        #expect(parts.map { $0["part"] as? String } == ["outer"])
        let rank = try #require(parts[0]["rank"] as? Int)
        parts[0]["rank"] = rank + 1
        object["parts"] = parts
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]).write(to: url)
        let checked = try Binary.run(["check-certificate", file])
        #expect(checked.status == 1 && checked.stderr.isEmpty)
        #expect(checked.stdout == "invalid: outer: claimed rank \(rank + 1) but the witness minor is \(rank) x \(rank)\n")
    }

    /// Bad input, refused before any work (exit 2, nothing written): among them what the checker would refuse.
    @Test(arguments: [
        (["--layers", "conv:2:3,dense:2", "--samples", "3"], "error: --layers and --input go together"),
        (["--input", "1x6", "--layers", "conv:2:3,dense:2", "--samples", "3", "--upper-bound", "statement"],
         "error: --upper-bound statement: proven statements are not certified for convolutional networks (--layers) yet; use --upper-bound span"),
        (["--input", "1x6", "--layers", "conv:2:3,dense:2", "--samples", "3", "--activation", "relu"],
         "error: --layers: convolutional networks are certified linear under mse so far; leave out --activation"),
        (["--input", "1x6", "--layers", "conv:2:3,dense:2", "--samples", "3", "--arch", "6,2"],
         "error: --layers: the network is --input and --layers; leave out --arch and --data-rank"),
        (["--input", "1x6", "--layers", "conv:2:3,dense:2"], "error: --layers: give the number of samples with --samples N"),
        (["--input", "1x6", "--layers", "conv:2:7,dense:2", "--samples", "3"],
         "error: --layers: layer 1: a kernel of 7 does not fit the input 1x6 (valid padding)"),
        (["--input", "1x8x8", "--layers", "conv:4:3:same,dense:2", "--samples", "4"],
         "error: certify: check-certificate would refuse this certificate: network.layers unrolls to a dense network of p_u = 16896 parameters, above the checker's limit of 3000"),
        (["--input", "1x8x8", "--layers", "conv:4:3:same,dense:10", "--samples", "4"],
         "error: certify: check-certificate would refuse this certificate: network.layers has p = 2596 parameters, above the checker's limit of 1000"),
        (["--input", "1x60", "--layers", "conv:1:11", "--samples", "8"],
         "error: certify: check-certificate would refuse this certificate: rebuilding the Hessians on the unrolled network (p_u = 3000, N = 8, K = 50)"),
    ])
    func refusals(arguments: [String], message: String) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("never.json").path
        let run = try Binary.run(["certify"] + arguments + ["--out", file])
        #expect(run.status == 2 && run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix(message), "stderr: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    /// --help shows the convolutional example.
    @Test func helpShowsTheExample() throws {
        let run = try Binary.run(["certify", "--help"])
        #expect(run.status == 0)
        let help = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("hessian-rank certify --input 1x6x6 --layers conv:2:3:s2,dense:3 --samples 4 --out conv.json"))
        #expect(help.contains("--layers <layers>") && help.contains("certificate of format version 3"))
    }
}
