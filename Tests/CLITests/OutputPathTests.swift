// Output paths, through the binary as a user meets them: a write that fails at the end is one line with exit 1; the
// temporary files of killed runs are removed and those of live writers kept.
import Foundation
import PropertyBased
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct OutputPathTests {
    /// A fresh folder under the temporary directory, removed afterwards.
    static func withScratch<R>(_ body: (String) throws -> R) throws -> R {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("output-paths-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: root) }
        return try body(root)
    }

    /// A killed run's temporary file is removed by the next write of the same target when its writer is gone (a
    /// dead pid on this host; an hour without modification for another host's file or an earlier version's
    /// `.NAME.UUID.tmp`); a live writer's file stays however old, and so does every other name.
    @Test func staleTemporaryFilesAreRemovedAndLiveOnesKept() throws {
        // A pid that is certainly gone: a child that has exited and been waited for.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "exit 0"]
        try child.run()
        child.waitUntilExit()
        let dead = child.processIdentifier, live = getpid()
        var buffer = [CChar](repeating: 0, count: 256)
        try #require(gethostname(&buffer, 255) == 0)
        let host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).prefix { $0 != "." }
        try #require(!host.isEmpty && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") },
                     "the temporary names use the host name as it is when it has only letters, digits and '-'")
        try Self.withScratch { root in
            let hour = 3600.0
            // (name, age in seconds)
            let removed: [(String, Double)] = [
                (".c.json.\(host).\(dead).0123abcd.tmp", 0),
                (".c.json.elsewhere.\(live).89abcdef.tmp", 2 * hour),
                (".c.json.6F9619FF-8B86-D011-B42D-00C04FC964FF.tmp", 2 * hour),
            ]
            let kept: [(String, Double)] = [
                (".c.json.\(host).\(live).0123abcd.tmp", 2 * hour),       // a live writer on this host, however old
                (".c.json.elsewhere.\(dead).0123abcd.tmp", 0),            // another host's, recent: maybe writing
                (".c.json.0A9619FF-8B86-D011-B42D-00C04FC964FF.tmp", 0),  // an earlier version's, recent
                (".d.json.\(host).\(dead).0123abcd.tmp", 0),              // another target's
                (".c.json.\(host).\(dead).0123ABCD.tmp", 0),              // not the pattern: upper-case hex
                (".c.json.\(host).\(dead).0123abc.tmp", 0),               // not the pattern: 7 digits
                (".c.json.notes.tmp", 2 * hour),
                ("c.json.\(host).\(dead).0123abcd.tmp", 0),               // not hidden
            ]
            for (name, age) in removed + kept {
                let path = root + "/" + name
                #expect(FileManager.default.createFile(atPath: path, contents: Data("partial".utf8)))
                try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: path)
            }
            let run = try Binary.run(["certify", "--arch", "3,2", "--samples", "4", "--out", root + "/c.json"])
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let left = Set(try FileManager.default.contentsOfDirectory(atPath: root))
            #expect(left == Set(kept.map(\.0) + ["c.json"]))
        }
    }

    /// What validation cannot see (the fixtures folder's contents) fails at the end as one plain line with exit 1.
    @Test func aWriteThatFailsAtTheEndIsOneLineWithExitOne() throws {
        try Self.withScratch { root in
            try FileManager.default.createDirectory(atPath: root + "/a/manifest.json", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root + "/b", withIntermediateDirectories: false)
            // The folder of the one case, by the documented naming (as fixtures/01-linear-3x2-n4-seed1 in the help).
            #expect(FileManager.default.createFile(atPath: root + "/b/01-linear-3x2-n4-seed1", contents: Data()))
            let expected = [
                ("a", "error: cannot write \(root)/a/manifest.json: it is a directory, not a regular file"),
                ("b", "error: cannot create the folder \(root)/b/01-linear-3x2-n4-seed1: it exists and is a regular file"),
            ]
            for (folder, message) in expected {
                let run = try Binary.run(["fixtures", "--arch", "3,2", "--samples", "4", "--out", root + "/" + folder])
                #expect(run.status == 1 && run.stdout.isEmpty, "\(folder): exit \(run.status), stderr \(run.stderr)")
                let errors = run.stderr.split(separator: "\n").filter { !$0.hasPrefix("fixtures: ") }
                #expect(errors == [Substring(message)], "\(folder): \(run.stderr)")
            }
            let names = try FileManager.default.subpathsOfDirectory(atPath: root)
            #expect(!names.contains { $0.hasSuffix(".tmp") }, "no temporary file left: \(names)")
        }
    }
}
