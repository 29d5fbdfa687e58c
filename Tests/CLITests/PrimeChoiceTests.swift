// The Monte Carlo prime is drawn by each run from the system's entropy, so its error bound holds for every input, even
// one built to defeat a prime known in advance; a prime given with --prime replays a run, with no bound claimed.
import ExactAlgebra
import Foundation
import NPYFormat
import Testing

@Suite struct PrimeChoiceTests {
    /// A one-layer network 2,3 on N = 2 samples whose 2 x 2 data matrix X has determinant `prime`: H_L = H_O is
    /// S_xx = X^T X repeated for each of the K = 3 outputs (proofs/statements/one-layer.md), of rank 2 * 3 = 6 over Q;
    /// modulo `prime`, X and so S_xx have rank 1, and the rank falls to 3. Every entry is below 2^33, exact in float64.
    static func adversarialFiles(for prime: UInt) throws -> URL {
        let d: UInt = 1 << 31
        let a = prime / d + 1, b = a * d - prime  // a d - b * 1 = prime, with 0 < b <= d
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adversarial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("w"), withIntermediateDirectories: true)
        func save(_ path: String, _ shape: [Int], _ values: [Double]) throws {
            try NPY.encode(NPYArray(shape: shape, values: .float64(values))).write(to: directory.appendingPathComponent(path))
        }
        try save("x.npy", [2, 2], [Double(a), Double(b), 1, Double(d)])
        try save("y.npy", [2, 3], [1, 2, 3, 4, 5, 6])
        try save("w/w1.npy", [3, 2], [1, 2, 3, 4, 5, 7])
        return directory
    }

    @Test func aPrimeKnownInAdvanceIsDefeatedAndFreshPrimesAreNot() throws {
        var g = SplitMix64(seed: 2026)
        let prime = Primes.random(using: &g)
        let directory = try Self.adversarialFiles(for: prime)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = ["rank", "--weights", directory.appendingPathComponent("w").path,
                     "--x", directory.appendingPathComponent("x.npy").path,
                     "--y", directory.appendingPathComponent("y.npy").path, "--json"]

        let fresh = try Binary.run(files)
        #expect(fresh.status == 0, "stderr: \(fresh.stderr)")
        let freshObject = try #require(try JSONSerialization.jsonObject(with: Data(fresh.stdout.utf8)) as? [String: Any])
        #expect(freshObject["ranks"] as? [String: Int] == ["loss": 6, "outer": 6, "functional": 0])
        let freshMethod = try #require(freshObject["method"] as? [String: Any])
        #expect(freshMethod["primeSource"] as? String == "system-entropy")
        #expect((freshMethod["errorBound"] as? Double).map { $0 > 0 && $0 < 1e-15 } == true)
        #expect(freshMethod["primes"] as? [String] != [String(prime)])

        let replay = try Binary.run(files + ["--prime", String(prime)])
        #expect(replay.status == 0, "stderr: \(replay.stderr)")
        let replayObject = try #require(try JSONSerialization.jsonObject(with: Data(replay.stdout.utf8)) as? [String: Any])
        #expect(replayObject["ranks"] as? [String: Int] == ["loss": 3, "outer": 3, "functional": 0])
        // At L = 1 the ranks are fixed by the data rank at every point, so the tool knows this lower bound fell short.
        let verdicts = try #require(replayObject["verdicts"] as? [String: String])
        #expect(verdicts["loss"] == "BELOW: the formula is proven attained here, so this lower bound fell short")
        #expect(verdicts["outer"] == verdicts["loss"] && verdicts["functional"] == "equal")
        let replayMethod = try #require(replayObject["method"] as? [String: Any])
        #expect(replayMethod["primeSource"] as? String == "given")
        #expect(replayMethod["primes"] as? [String] == [String(prime)])
        #expect(replayMethod["errorBound"] == nil, "no probability bound for a prime the user chose")

        let text = try Binary.run(Array(files.dropLast()) + ["--prime", String(prime)])
        #expect(text.stdout.contains("given with --prime (\(prime)): each rank is a proven lower bound; no probability bound"))
    }

    /// Two runs of the same command draw different primes, and a run's printed prime replays it exactly.
    @Test func eachRunDrawsItsOwnPrimeAndPrintsIt() throws {
        let command = ["rank", "--arch", "4,3,2", "--samples", "5", "--json"]
        func primes(_ run: Run) throws -> [String] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            return try #require((object["method"] as? [String: Any])?["primes"] as? [String])
        }
        let first = try Binary.run(command), second = try Binary.run(command)
        #expect(try primes(first) != primes(second))
        let replay = try Binary.run(command + ["--prime", try primes(first)[0]])
        #expect(try primes(replay) == primes(first))
    }

    @Test(arguments: [
        (["rank", "--arch", "3,2", "--samples", "4", "--prime", "7"], "--prime: expected a prime in [2^62, 2^63)"),
        (["rank", "--arch", "3,2", "--samples", "4", "--prime", "9223372036854775783", "--certify"], "--prime: not with --certify"),
        (["rank", "--arch", "3,2", "--samples", "4", "--prime", "9223372036854775783", "--primes", "2"], "--primes: not with --prime"),
        (["rank", "--arch", "3,2", "--samples", "4", "--field", "prime", "--prime", "9223372036854775783",
          "--prime", "9223372036854775643"], "--prime: generic mode (--field prime) takes one prime"),
    ])
    func badPrimesExitTwo(arguments: [String], message: String) throws {
        let run = try Binary.run(arguments)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains(message), "stderr: \(run.stderr)")
    }
}
