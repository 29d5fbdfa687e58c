import Foundation
import Testing

/// `hessian-rank conjecture` as a user runs it: a proven formula passes, a violated bound is refuted and shrunk to the
/// network worked out by hand (`ConjectureCheckTests.violatedBoundIsShrunkToTheMinimalNetwork`), malformed formulas
/// and options exit 2 with the position, and the JSON and the reproduce command say the same thing.
@Suite struct ConjectureCommandTests {
    /// A fixed prime, so that the run is the same every time.
    static let prime = "4611686018427388039"

    static let smallGrid = ["--inputs", "1..3", "--depth", "1..3", "--hidden", "1..3", "--outputs", "1..3", "--samples", "1..4",
                            "--prime", prime]

    @Test func provenFormulaPasses() throws {
        let run = try Binary.run(["conjecture", "--outer", "q*(r + K - q)", "--loss", "<= p"] + Self.smallGrid)
        #expect(run.status == 0, "\(run.stderr)")
        // 3 d x 3 K x 4 N x (1 + 3 + 9) hidden tuples = 468 networks, two formulas each.
        #expect(run.stdout.contains("PASS: 468 networks, 936 formula values: "))
        #expect(run.stdout.contains(" 0 ABOVE"))
        #expect(!run.stdout.contains("smallest counterexample"))
    }

    /// The bound misses 2 q s - L q^2; the minimal network is 2,1,2 with N = 2, where rank H_F = 4 > 2.
    @Test func violatedBoundIsReportedShrunkAndReproducible() throws {
        let run = try Binary.run(["conjecture", "--functional", "<= 2*q*sum(hidden)", "--inputs", "1..3", "--depth", "3",
                                  "--hidden", "1..3", "--outputs", "1..3", "--samples", "1..4", "--prime", Self.prime])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("FAIL: "))
        #expect(run.stdout.contains("smallest counterexample: 2,1,2 N=2"))
        #expect(run.stdout.contains("H_F: rank 4, formula <= 2: ABOVE: counterexample"))
        #expect(run.stdout.contains("proven: a rank over Q at a point exceeds the formula's value there"))
        let reproduce = try #require(run.stdout.split(separator: "\n").first { $0.contains("reproduce:") })
        #expect(reproduce.contains("--arch 2,1,2 --samples 2 --seed "))
        #expect(reproduce.contains("--prime \(Self.prime)"))
        // The reproduce command, run as printed (the formula is quoted for a shell), fails the same way.
        let words = reproduce.split(separator: " ").map(String.init).drop { $0 != "conjecture" }
        var arguments: [String] = []
        var quoted: String? = nil
        for word in words {
            if let open = quoted {
                quoted = open + " " + word
                if word.hasSuffix("'") { arguments.append(String(quoted!.dropFirst().dropLast())); quoted = nil }
            } else if word.hasPrefix("'") {
                if word.count > 1 && word.hasSuffix("'") { arguments.append(String(word.dropFirst().dropLast())) } else { quoted = word }
            } else {
                arguments.append(word)
            }
        }
        let again = try Binary.run(arguments + ["--json"])
        #expect(again.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary["networks"] as? Int == 1 && summary["above"] as? Int == 1 && summary["passed"] as? Bool == false)
        let counterexample = try #require(json["counterexample"] as? [String: Any])
        #expect(counterexample["proven"] as? Bool == true)
        let minimal = try #require(counterexample["minimal"] as? [String: Any])
        #expect(minimal["widths"] as? [Int] == [2, 1, 2])
    }

    @Test(arguments: [
        (["--outer", "q * (r + K - q"], "error: --outer 'q * (r + K - q': at character 15: expected ')' to close the '(' at character 5; found 'the end of the formula'"),
        (["--loss", "rank <= p"], "error: --loss 'rank <= p': at character 1: unknown name 'rank'"),
        (["--functional", "if r then 1 else 0"], "error: --functional 'if r then 1 else 0': at character 4: 'if' needs a condition; this is an integer"),
        (["--outer", "q", "--define", "q2 = q ^"], "error: --define 'q2 = q ^': at character 9: the formula ends where an operand was expected"),
        ([] as [String], "error: give a formula with --loss, --outer or --functional, e.g. --outer 'q*(r + K - q)'"),
        (["--outer", "q", "--inputs", "3..1"], "error: --inputs: 3..1 is empty"),
        (["--outer", "q", "--bias", "yes"], "error: --bias: expected off, on or both; got 'yes'"),
        (["--outer", "q", "--activation", "swish"], "error: --activation: unknown activation 'swish'"),
        (["--outer", "q", "--activation", "leaky-relu", "--loss-function", "log-cosh"],
         "error: --activation leaky-relu:1/100: with --loss-function cross-entropy or log-cosh, the certified intervals cover linear, relu, tanh, sigmoid and elu"),
        (["--outer", "q", "--loss-function", "hinge"], "error: --loss-function: unknown loss 'hinge'"),
        (["--outer", "q", "--depth", "0"], "error: --depth: depths must be >= 1; got 0"),
        (["--outer", "q", "--max-parameters", "1", "--inputs", "2", "--outputs", "2"], "error: the grid has no network with at most 1 parameters"),
        (["--outer", "q", "--shard", "3/2"], "error: --shard: expected i/n with 1 <= i <= n"),
        (["--outer", "q", "--arch", "3,2", "--samples", "2", "--hidden", "1..3"], "error: --hidden: not with --arch, which gives the shape 3,2"),
        (["--outer", "q", "--arch", "3,2", "--random", "5"], "error: --random: not with --arch"),
    ])
    func badInputExitsTwo(arguments: [String], message: String) throws {
        let run = try Binary.run(["conjecture"] + arguments)
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    /// A formula that has no value at some network fails the run and names the reason.
    @Test func formulaWithoutAValueFails() throws {
        let run = try Binary.run(["conjecture", "--outer", "r * K / 2", "--arch", "3,1", "--samples", "4", "--prime", Self.prime])
        #expect(run.status == 1)
        #expect(run.stdout.contains("3 / 2 leaves a remainder (1)"))
        #expect(run.stdout.contains("1 without a value"))
    }

    /// Shards split the grid's networks without overlap, in the grid's order.
    @Test func shardsCoverTheGrid() throws {
        var total = 0
        for i in 1...3 {
            let run = try Binary.run(["conjecture", "--outer", "q*(r + K - q)", "--shard", "\(i)/3", "--json"] + Self.smallGrid)
            #expect(run.status == 0)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            total += (json["summary"] as? [String: Any])?["networks"] as? Int ?? 0
        }
        #expect(total == 468)
    }
}
