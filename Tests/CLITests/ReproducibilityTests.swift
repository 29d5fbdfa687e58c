// Outputs that must be byte-identical on a rerun do not depend on the machine's thread settings.
import Foundation
import Testing

@Suite struct ReproducibilityTests {
    /// The fixtures' float flags once flipped between OPENBLAS_NUM_THREADS=1 and 2 (case 07 of the default preset):
    /// the manifests, which hash every file, must now be equal.
    @Test func fixturesDoNotDependOnTheBLASThreadCount() throws {
        var manifests: [Data] = []
        for threads in ["1", "2"] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fixtures-threads-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let run = try Binary.run(["fixtures", "--out", directory.path], environment: ["OPENBLAS_NUM_THREADS": threads])
            #expect(run.status == 0, "stderr: \(run.stderr)")
            manifests.append(try Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        }
        #expect(manifests[0] == manifests[1])
    }

    /// --max-memory is checked whenever it is given, also when a preset (not --arch) names the networks.
    @Test func fixturesCheckMaxMemoryWithAPreset() throws {
        let run = try Binary.run(["fixtures", "--out", FileManager.default.temporaryDirectory.appendingPathComponent("never").path,
                                  "--max-memory", "banana"])
        #expect(run.status == 2 && run.stdout.isEmpty)
        #expect(run.stderr.contains("--max-memory: expected a positive size such as 8G, 512M or 1073741824; got 'banana'"), "\(run.stderr)")
    }

    @Test func fixturesAboveTheCertificationLimitAreRefused() throws {
        let run = try Binary.run(["fixtures", "--out", FileManager.default.temporaryDirectory.appendingPathComponent("f").path,
                                  "--arch", "20,20,20,20", "--samples", "4"])
        #expect(run.status == 2 && run.stdout.isEmpty)
        #expect(run.stderr.contains("--arch: fixtures carry certified ranks, offered up to p = 1000 parameters"), "stderr: \(run.stderr)")
    }
}

@Suite struct KinkRedrawTests {
    /// A drawn ReLU network on a kink is redrawn (seed + k 2^32), never refused: seed 6 of 6,4,4,3 with N = 12 sits on a
    /// kink, seed 6 + 2^32 does not. The report names the seed used, and that seed given directly gives the same ranks.
    @Test func aDrawnReLUNetworkOnAKinkIsRedrawn() throws {
        let command = ["rank", "--activation", "relu", "--arch", "6,4,4,3", "--samples", "12"]
        let redrawn = try Binary.run(command + ["--seed", "6"])
        #expect(redrawn.status == 0, "stderr: \(redrawn.stderr)")
        #expect(redrawn.stdout.contains("from seed 4294967302 (seed 6 + k 2^32: the draws before it sat on a ReLU kink)"))
        let direct = try Binary.run(command + ["--seed", "4294967302"])
        #expect(direct.status == 0 && direct.stdout.contains("N = 12, seed 4294967302\n"))
        func rankLines(_ run: Run) -> [Substring] { run.stdout.split(separator: "\n").filter { $0.hasPrefix("H_") } }
        #expect(rankLines(redrawn) == rankLines(direct) && rankLines(direct).count == 3)
    }
}
