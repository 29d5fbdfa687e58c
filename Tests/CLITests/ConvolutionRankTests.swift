import Foundation
import Testing

/// `rank --input ... --layers ...`: a linear convolutional network's exact ranks (the values themselves are checked
/// against the independent reference route in `ConvolutionHessianTests`; here the command line).
@Suite struct ConvolutionRankTests {
    /// 1 x 16 input, conv with 2 channels and kernel 3 (valid: 14 positions, 6 weights), dense to 2 (2 x 28 weights):
    /// p = 62, unrolled widths 16, 28, 2.
    @Test func certifiedRanksAsJSON() throws {
        let run = try Binary.run(["rank", "--input", "1x16", "--layers", "conv:2:3,dense:2", "--samples", "6", "--certify", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["parameters"] as? Int == 62 && json["unrolledWidths"] as? [Int] == [16, 28, 2])
        let parts = try #require(json["parts"] as? [[String: Any]])
        #expect(parts.map { $0["part"] as? String } == ["loss", "outer", "functional"])
        #expect(parts.allSatisfy { $0["exact"] as? Bool == true && $0["method"] as? String == "multimodular-hadamard" })
    }

    @Test(arguments: [
        (["--input", "1x8"], "error: --layers and --input go together"),
        (["--input", "1x8", "--layers", "conv:2:9,dense:1", "--samples", "2"], "error: --layers: layer 1: a kernel of 9 does not fit the input 1x8 (valid padding)"),
        (["--input", "1x8", "--layers", "conv:2,dense:1", "--samples", "2"], "error: --layers: 'conv:2' needs channels and a kernel size"),
        (["--input", "1x8", "--layers", "conv:2:3:s0,dense:1", "--samples", "2"], "error: --layers: 'conv:2:3:s0': the stride must be a positive integer"),
        (["--input", "1x8", "--layers", "conv:2:3,dense:1"], "error: --layers: give the number of samples with --samples N"),
        (["--input", "1x8", "--layers", "conv:2:3,dense:1", "--samples", "2", "--activation", "relu"], "error: --layers: convolutional networks are linear under mse"),
        (["--input", "1x8", "--layers", "conv:2:3,dense:1", "--samples", "2", "--arch", "3,2"], "error: --layers: the network is --input and --layers"),
    ])
    func refusals(arguments: [String], message: String) throws {
        let run = try Binary.run(["rank"] + arguments)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    /// The channels study has its own network: the dense studies' options are refused before any work.
    @Test(arguments: [["--bias"], ["--activation", "relu"], ["--shard", "1/2"], ["--field", "prime"], ["--loss", "log-cosh"]])
    func channelStudyRefusesDenseOptions(arguments: [String]) throws {
        let run = try Binary.run(["sweep", "--study", "channels"] + arguments)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("error: \(arguments[0]): not with --study channels"), "\(run.stderr)")
    }

    @Test func unknownStudyNamesChannels() throws {
        let run = try Binary.run(["sweep", "--study", "kernels"])
        #expect(run.status == 2 && run.stderr.contains("expected width, depth, samples or channels; got 'kernels'"))
    }
}
