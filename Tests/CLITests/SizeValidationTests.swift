// Sizes from the command line never trap: a network or data set whose sizes leave 64-bit integers, or need more
// than --max-memory, is refused with the memory message (exit 2, one line on stderr, nothing on stdout); a small
// one runs. The fuzz test draws huge and odd sizes for every option that takes one, from a fixed seed.
import Foundation
import PropertyBased
import Testing

@Suite struct SizeValidationTests {
    /// Exit 2, one line on stderr that starts with `prefix`, nothing on stdout.
    static func expectRefusal(_ arguments: [String], _ prefix: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try Binary.run(arguments)
        #expect(run.status == 2, "\(arguments): \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.hasPrefix("error: " + prefix), "\(arguments): \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stdout.isEmpty, "\(arguments)", sourceLocation: sourceLocation)
    }

    @Test func samplesWhoseProductsOverflowGetTheMemoryMessage() throws {
        try Self.expectRefusal(["rank", "--arch", "4,3,2", "--samples", "9223372036854775807"],
                               "--max-memory: the reduced Hessians of 4,3,2 (p = 18) and N = 9223372036854775807 samples would need more than 8 EiB")
        try Self.expectRefusal(["rank", "--arch", "4,3,2", "--samples", "4611686018427387904", "--data-rank", "4", "--full-matrices"],
                               "--max-memory: the Hessians of 4,3,2 (p = 18) and N = 4611686018427387904 samples would need more than 8 EiB")
        // No limit, however large, lets a size beyond 64-bit integers through.
        try Self.expectRefusal(["rank", "--arch", "4,3,2", "--samples", "9223372036854775807", "--max-memory", "1e300"],
                               "--max-memory: the reduced Hessians of 4,3,2 (p = 18) and N = 9223372036854775807 samples would need more than 8 EiB")
    }

    @Test func widthsWhoseSquaredSizeOverflowsGetTheMemoryMessage() throws {
        try Self.expectRefusal(["rank", "--arch", "9223372036854775807,2", "--samples", "1"],
                               "--max-memory: the Hessians of 9223372036854775807,2 and N = 1 samples would need more than 8 EiB")
        try Self.expectRefusal(["certify", "--arch", "2,3037000500", "--samples", "1", "--out", "x.json"],
                               "--max-memory: the Hessians of 2,3037000500 and N = 1 samples would need more than 8 EiB")
        try Self.expectRefusal(["calibrate", "--arch", "3037000500,1", "--samples", "3"],
                               "--max-memory: the Hessians of 3037000500,1 and N = 3 samples would need more than 8 EiB")
        try Self.expectRefusal(["bench", "--widths", "8,2147483648"],
                               "--max-memory: the Hessians of 64,2147483648,2147483648,10 and N = 100 samples would need more than 8 EiB")
        // p^2 fits, but the matrices do not: the estimate names the network and its p.
        try Self.expectRefusal(["rank", "--arch", "3037000499,1", "--samples", "1"],
                               "--max-memory: the reduced Hessians of 3037000499,1 (p = 3037000499) and N = 1 samples would need more than 8 EiB")
        try Self.expectRefusal(["bias", "--arch", "3037000499,1", "--samples", "1"],
                               "--max-memory: the Hessians of 3037000499,1 with biases and N = 1 samples would need more than 8 EiB")
    }

    /// A study or a benchmark is refused by its largest network, and the message names it.
    @Test func theLargestNetworkOfASeriesIsTheOneRefused() throws {
        try Self.expectRefusal(["bench", "--widths", "8,48,16", "--max-memory", "1"], "--max-memory: the reduced Hessians of 64,48,48,10 (p = ")
        try Self.expectRefusal(["sweep", "--study", "samples", "--max-memory", "1"], "--max-memory: the reduced Hessians of 64,10,10,10 (p = 840) and N = 400 samples")
    }

    /// Huge, odd and small sizes for every option that takes one, on every command that takes them: each run exits
    /// 0 (small enough to run) or 2 with one line naming the bad input, never a trap (a signal). 60 runs drawn from a
    /// fixed seed, so a failure reproduces.
    @Test func fuzzedSizesExitCleanly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sizes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let huge = ["9223372036854775807", "9223372036854775806", "4611686018427387904", "3037000500", "3037000499",
                    "2147483648", "1000000", "9223372036854775808", "-1", "0", "1e3", "+2"]
        let size = Gen.frequency((3, Gen.int(in: 1...3).map(String.init)), (2, Gen.element(of: huge).map { $0! }))
        let widths = size.array(of: 2...4).map { $0.joined(separator: ",") }
        let command = Gen.element(of: ["rank", "rank --full-matrices", "rank --field prime", "rank --activation relu",
                                       "certify", "fixtures", "calibrate", "bias", "bench"]).map { $0! }
        // Limits at which every size that fits is small enough to run in moments; a limit beyond the machine would let
        // a network through that then fails to allocate (what a user who raises --max-memory asks for).
        let limit = Gen.element(of: ["64M", "48M", "1"]).map { $0! }
        let input = zip(command, widths, size, size.optional(valueRate: 0.3), limit)
        var random = Xoshiro(seed: (7, 11, 13, 17))
        for index in 0..<60 {
            let (name, arch, samples, dataRank, maxMemory) = input.run(using: &random)
            var arguments = name.split(separator: " ").map(String.init)
            if name == "bench" {
                arguments += ["--widths", arch, "--repeat", "1"]
            } else {
                arguments += ["--arch", arch, "--samples", samples]
                if let dataRank, name.hasPrefix("rank") || name == "certify" || name == "bias" { arguments += ["--data-rank", dataRank] }
                if name == "certify" || name == "fixtures" { arguments += ["--out", directory.appendingPathComponent("\(index)").path] }
            }
            arguments += ["--max-memory", maxMemory]
            let run = try Binary.run(arguments)
            // bias may also exit 1, which would refute its conjecture: an answer, not a trap.
            #expect(run.status == 0 || run.status == 2 || (name == "bias" && run.status == 1), "\(arguments): exit \(run.status), \(run.stderr)")
            if run.status == 2 {
                #expect(run.stderr.hasPrefix("error: ") && run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
                #expect(run.stdout.isEmpty, "\(arguments)")
            }
        }
    }
}
