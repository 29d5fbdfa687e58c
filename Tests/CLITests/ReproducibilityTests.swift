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

    @Test func fixturesAboveTheCertificationLimitAreRefused() throws {
        let run = try Binary.run(["fixtures", "--out", FileManager.default.temporaryDirectory.appendingPathComponent("f").path,
                                  "--arch", "20,20,20,20", "--samples", "4"])
        #expect(run.status == 2 && run.stdout.isEmpty)
        #expect(run.stderr.contains("--arch: fixtures carry certified ranks, offered up to p = 1000 parameters"), "stderr: \(run.stderr)")
    }
}
