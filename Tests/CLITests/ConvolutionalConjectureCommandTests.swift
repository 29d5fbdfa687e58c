import Foundation
import Testing

/// `hessian-rank conjecture --input ... --layers ...` as a user runs it: the statements of proofs/convolution.md, written
/// as formulas, pass on a grid of CNNs; wrong formulas are refuted and shrunk to the networks worked out by hand in
/// `ConvolutionalConjectureCheckTests`, with reproduce and check commands that say the same; the names of CNNs are
/// refused on dense grids, and what CNN grids do not take yet is refused by name (exit 2).
@Suite struct ConvolutionalConjectureCommandTests {
    static let prime = ConjectureCommandTests.prime

    static let outerBound = "<= let qc = min(channels[1], K*positions[1], kappa[1]) in min(K*r, qc*(K*positions[1] + kappa[1] - qc))"

    /// The words of a printed command line, with single-quoted arguments as one (as a shell reads them).
    static func words(_ line: Substring, from first: String) -> [String] {
        var arguments: [String] = []
        var quoted: String? = nil
        for word in line.split(separator: " ").map(String.init).drop(while: { $0 != first }) {
            if let open = quoted {
                quoted = open + " " + word
                if word.hasSuffix("'") { arguments.append(String(quoted!.dropFirst().dropLast())); quoted = nil }
            } else if word.hasPrefix("'") {
                if word.count > 1 && word.hasSuffix("'") { arguments.append(String(word.dropFirst().dropLast())) } else { quoted = word }
            } else {
                arguments.append(word)
            }
        }
        return arguments
    }

    static func json(_ run: Run) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    /// rank H_F = 2 m rank G (an identity) and rank H_O <= min(K r, q (K d' + kappa - q)), on 3 inputs x 12 layers.
    @Test func provenStatementsPass() throws {
        let run = try Binary.run(["conjecture", "--functional", "2*channels[1]*patchrank", "--outer", Self.outerBound,
                                  "--input", "1x6", "--input", "2x5", "--input", "1x4x4", "--layers", "conv:1..3:2..3,dense:1..2",
                                  "--prime", Self.prime])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("36 networks, integer points, prime \(Self.prime) (convolutional networks are ranked at integer points only, modulo primes), seed 1"))
        #expect(run.stdout.contains("PASS: 36 networks, 72 formula values: "))
        #expect(run.stdout.contains(" 0 ABOVE (the formula reads rank G: each is certain at its point"))
        // CNNs have no diagnosis (C1-C4 are about dense networks): the summary does not speak of one.
        #expect(run.stdout.contains(" 0 below after 3 redraws (convolutional networks have no diagnosis of their point), 0 without a value"))
        #expect(!run.stdout.contains("looks generic") && !run.stdout.contains("diagnostic fails"))
        #expect(!run.stdout.contains("smallest counterexample"))
    }

    /// K d' + k for H_O: shrunk to 1x1 conv:1:1,dense:1 with N = 1, whose value 2 exceeds N K = 1 (IMPOSSIBLE).
    @Test func wrongFormulaIsRefutedShrunkAndReproducible() throws {
        let run = try Binary.run(["conjecture", "--outer", "K*positions[1] + kernel[1]", "--input", "1x8",
                                  "--layers", "conv:1..3:2..3,dense:1..2", "--prime", Self.prime])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("smallest counterexample: 1x1 conv:1:1,dense:1 N=1 ("))
        #expect(run.stdout.contains("  C0=1 S=1 channels=[1,1] kernel=[1,0] stride=[1,0] positions=[1,1] kappa=[1,1] d=1 hidden=[1] K=1 N=1 L=2 p=2 r=1"))
        #expect(run.stdout.contains("    H_O: rank 1, formula == 2: IMPOSSIBLE"))
        let lines = run.stdout.split(separator: "\n")
        let reproduce = try #require(lines.first { $0.contains("reproduce:") })
        #expect(reproduce.contains("--input 1x1 --layers conv:1:1,dense:1 --samples 1 --seed "))
        #expect(reproduce.contains("--prime \(Self.prime)"))
        let again = try Binary.run(Self.words(reproduce, from: "conjecture") + ["--json"])
        #expect(again.status == 1)
        let json = try Self.json(again)
        #expect(json["convolutional"] as? Bool == true && json["generic"] as? Bool == false)
        let counterexample = try #require(json["counterexample"] as? [String: Any])
        #expect(counterexample["proven"] as? Bool == true)
        let minimal = try #require(counterexample["minimal"] as? [String: Any])
        #expect(minimal["input"] as? String == "1x1" && minimal["layers"] as? String == "conv:1:1,dense:1")
        // The check command certifies the same point: H_O has rank 1.
        let check = try #require(lines.first { $0.contains("check:") })
        #expect(check.hasSuffix("--certify"))
        let certified = try Binary.run(Self.words(check, from: "rank"))
        #expect(certified.status == 0, "\(certified.stderr)")
        #expect(certified.stdout.contains("H_O: rank 1 of 2 (exact (certified))"))
    }

    /// A bound forgetting q: shrunk to 1x2 conv:2:2,dense:2 with N = 2, the dense network 2,2,2 in disguise, where
    /// rank H_O = 4 > 3 (certified); its record names the CNN's quantities.
    @Test func violatedBoundIsShrunkToTheNetworkByHand() throws {
        let run = try Binary.run(["conjecture", "--outer", "<= K*positions[1] + kappa[1] - 1", "--input", "1x8",
                                  "--layers", "conv:1..3:2..3,dense:1..2", "--prime", Self.prime, "--json"])
        #expect(run.status == 1, "\(run.stderr)")
        let counterexample = try #require(try Self.json(run)["counterexample"] as? [String: Any])
        #expect(counterexample["proven"] as? Bool == true)
        let certified = try #require(counterexample["certified"] as? [String: Any])
        #expect(certified["network"] as? String == "1x2 conv:2:2,dense:2 N=2")
        #expect(certified["widths"] as? [Int] == [2, 2, 2])
        let quantities = try #require(certified["convolution"] as? [String: Any])
        #expect(quantities["channels"] as? [Int] == [2, 2] && quantities["kappa"] as? [Int] == [2, 2]
                && quantities["positions"] as? [Int] == [1, 1] && quantities["C0"] as? Int == 1)
        let part = try #require((certified["parts"] as? [[String: Any]])?.first)
        #expect(part["rank"] as? Int == 4 && part["value"] as? Int == 3)
        #expect((part["verdict"] as? String)?.hasPrefix("ABOVE") == true)
        #expect((counterexample["certify"] as? String)?.hasPrefix("hessian-rank rank --input 1x2 --layers conv:2:2,dense:2 --samples 2 --seed ") == true)
    }

    /// The names of CNNs on a dense grid are refused when the formulas are read, with the position.
    @Test(arguments: [
        (["--outer", "channels[1]"], "error: --outer 'channels[1]': at character 1: 'channels' is a quantity of convolutional networks, and these formulas are read for dense networks (a grid of CNNs is given by --input and --layers)"),
        (["--functional", "2 * M_1 * patchrank", "--arch", "3,2,2", "--samples", "4"], "error: --functional '2 * M_1 * patchrank': at character 11: 'patchrank' is a quantity of convolutional networks"),
        (["--outer", "g", "--define", "g = sum(kappa)"], "error: --define 'g = sum(kappa)': at character 9: 'kappa' is a quantity of convolutional networks"),
        (["--loss", "<= p + C0"], "error: --loss '<= p + C0': at character 8: 'C0' is a quantity of convolutional networks"),
    ])
    func convolutionalNamesOnDenseGrids(arguments: [String], message: String) throws {
        let run = try Binary.run(["conjecture"] + arguments)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    static let network = ["--outer", "q", "--input", "1x8", "--layers", "conv:1:2,dense:1"]

    @Test(arguments: [
        (["--bias", "on"], "error: --bias on: convolutional grids are bias-free so far; leave out --bias"),
        (["--bias", "both"], "error: --bias both: convolutional grids are bias-free so far"),
        (["--activation", "relu"], "error: --activation relu: convolutional grids are linear so far; leave out --activation"),
        (["--loss-function", "log-cosh"], "error: --loss-function log-cosh: convolutional grids are under mse so far; leave out --loss-function"),
        (["--data-rank", "2"], "error: --data-rank 2: convolutional grids draw full-rank data"),
        (["--inputs", "2..4"], "error: --inputs: not with --input and --layers, which give a grid of convolutional networks"),
        (["--arch", "3,2"], "error: --arch: not with --input and --layers"),
        (["--samples", "0..3"], "error: --samples: sample counts must be >= 1; got 0"),
        (["--layers", "conv:1:2:bias,dense:1"], "error: --layers: 'conv:1:2:bias': convolutional grids are bias-free so far; leave out :bias"),
        (["--layers", "conv:1:2:same:s2,dense:1"], "error: --layers: 'conv:1:2:same:s2': same padding needs stride 1"),
        (["--input", "8"], "error: --input: expected channels x length or channels x height x width"),
    ])
    func refusals(arguments: [String], message: String) throws {
        let run = try Binary.run(["conjecture"] + Self.network + arguments)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test(arguments: [
        (["--outer", "q", "--input", "1x8"], "error: --input and --layers go together"),
        (["--outer", "q", "--layers", "conv:1:2,dense:1"], "error: --input and --layers go together"),
        (["--outer", "q", "--input", "1x3", "--layers", "conv:1:4..5,dense:1"],
         "error: the grid has no convolutional network with at most 400 parameters whose kernels fit its input"),
    ])
    func incompleteGrids(arguments: [String], message: String) throws {
        let run = try Binary.run(["conjecture"] + arguments)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
    }

    /// Shards split a CNN grid without overlap, and --random draws from it.
    @Test func shardsAndRandomDraws() throws {
        let grid = ["--outer", "<= p", "--input", "1x6", "--input", "1x4x4", "--layers", "conv:1..2:2..3,dense:1..2", "--json"]
        var total = 0
        for i in 1...2 {
            let run = try Binary.run(["conjecture"] + grid + ["--shard", "\(i)/2"])
            #expect(run.status == 0, "\(run.stderr)")
            total += (try Self.json(run)["summary"] as? [String: Any])?["networks"] as? Int ?? 0
        }
        #expect(total == 16)
        let random = try Binary.run(["conjecture"] + grid + ["--random", "5", "--seed", "3"])
        #expect(random.status == 0)
        let cases = try #require(try Self.json(random)["cases"] as? [[String: Any]])
        #expect(cases.count == 5 && cases.allSatisfy { ($0["layers"] as? String)?.hasSuffix(",dense:1") == true || ($0["layers"] as? String)?.hasSuffix(",dense:2") == true })
    }
}
