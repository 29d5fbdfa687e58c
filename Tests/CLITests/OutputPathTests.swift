// Output paths and merge records, through the binary as a user meets them: a bad --out, --plot or fixtures folder is
// refused in validation (exit 2, one line naming the option and the path, nothing on stdout, nothing written); a write
// that still fails at the end is one line with exit 1; the temporary files of killed runs are removed and those of
// live writers kept; merge names the file and line of every record it cannot place.
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

    /// Exit 2, one line on stderr saying each of `message`, nothing on stdout; no trap, no Foundation error text.
    static func expectRefused(_ run: Run, _ message: [String], _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 2, "\(context): exit \(run.status), stderr \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stdout.isEmpty, "\(context): stdout \(run.stdout)", sourceLocation: sourceLocation)
        #expect(run.stderr.hasPrefix("error: ") && run.stderr.firstIndex(of: "\n") == run.stderr.index(before: run.stderr.endIndex),
                "\(context): one line, got \(run.stderr)", sourceLocation: sourceLocation)
        for part in message {
            #expect(run.stderr.contains(part), "\(context): expected '\(part)' in \(run.stderr)", sourceLocation: sourceLocation)
        }
        for raw in ["Error Domain", "NSCocoaErrorDomain", "NSError", "Fatal error"] {
            #expect(!run.stderr.contains(raw), "\(context): \(run.stderr)", sourceLocation: sourceLocation)
        }
    }

    /// Every entry under `root` with its kind, size, modification time and link target: what a refused run must leave
    /// as it was (a folder's own time is left out: it changes when a file is made and removed inside).
    static func snapshot(_ root: String) -> [String: String] {
        var entries: [String: String] = [:]
        func visit(_ path: String) {
            var info = stat()
            guard lstat(path, &info) == 0 else { return }
            let kind = info.st_mode & S_IFMT
            if kind == S_IFDIR {
                entries[path] = "folder"
                for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] { visit(path + "/" + name) }
                return
            }
            let target = kind == S_IFLNK ? (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?" : ""
            entries[path] = "mode \(info.st_mode) size \(info.st_size) time \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(target)"
        }
        visit(root)
        return entries
    }

    /// One line of `sweep --study samples --shard 1/9`: the record of point 0 (widths 64,10,10,10, N = 10).
    static let record: String = (try? Binary.run(["sweep", "--study", "samples", "--shard", "1/9"]))?.stdout ?? ""

    /// What bad output paths run into, made in `root`: a regular file, a folder, symbolic links to each and to nothing,
    /// a named pipe, and (as root) a character device like /dev/full, our own so that a failing test cannot replace
    /// the machine's; without the right to make one, the named pipe stands in.
    struct World {
        let root: String
        let device: String
        let deviceKind: String
        let records: String

        init(_ root: String) throws {
            self.root = root
            try "keep\n".write(toFile: root + "/file", atomically: false, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: root + "/dir", withIntermediateDirectories: false)
            #expect(mkfifo(root + "/fifo", 0o644) == 0)
            // Major 1, minor 7 is /dev/full.
            let made = mknod(root + "/chardev", S_IFCHR | 0o644, dev_t((1 << 8) | 7)) == 0
            (device, deviceKind) = made ? (root + "/chardev", "a character device") : (root + "/fifo", "a named pipe")
            for (link, target) in [("link-file", "file"), ("link-dir", "dir"), ("link-missing", "nothing"), ("link-device", device)] {
                try FileManager.default.createSymbolicLink(atPath: root + "/" + link, withDestinationPath: target)
            }
            records = root + "/records.jsonl"
            try OutputPathTests.record.write(toFile: records, atomically: false, encoding: .utf8)
        }
    }

    /// The kinds of bad output path; the fuzz test draws the names, lengths and variants of each.
    enum Kind: CaseIterable {
        case missingFolder, throughFile, directory, trailingSlash, symbolicLink, device, overlongName, overlongTemporaryName,
             empty, pseudoFileSystem
    }

    /// A bad path of `kind` for an output that is a file (`folder` false) or the fixtures folder, and what its refusal
    /// must say; nil where the kind is a good folder. `name`, `pick` and `length` are drawn.
    static func badPath(_ kind: Kind, folder: Bool, option: String, world: World, name: String, pick: Int, length: Int)
        -> (path: String, message: [String])? {
        let root = world.root
        let leaf = folder ? name : name + ".out"
        func one<T>(_ choices: [T]) -> T { choices[pick % choices.count] }
        switch kind {
        case .missingFolder:
            let parent = root + "/missing-" + name + one(["", "/deeper"])
            return (parent + "/" + leaf, ["\(option): the directory \(parent) does not exist"])
        case .throughFile:
            let file = one(["file", "link-file"])
            return ("\(root)/\(file)/\(one(["", name + "/"]))\(leaf)", ["\(option): \(root)/\(file) is a regular file, not a directory"])
        case .directory where folder:
            let (path, kind) = one([(root + "/file", "a regular file"), (root + "/link-file", "a symbolic link to a regular file")])
            return (path, ["\(option): \(path) is \(kind), not a folder"])
        case .directory:
            let path = one([root + "/dir", root + "/dir/.", root, root + "/dir/.."])
            return (path, ["\(option): \(path) is a directory"])
        case .trailingSlash:
            if folder { return nil }   // a new folder may be named with a '/' at its end
            let path = one([root + "/" + name + "/", root + "/dir/"])
            return (path, ["\(option): \(path) ends with '/'"])
        case .symbolicLink where folder:
            let (path, kind) = one([(root + "/link-missing", "a symbolic link to a missing path"),
                                    (root + "/link-device", "a symbolic link to \(world.deviceKind), not a folder")])
            return (path, ["\(option): \(path) is \(kind)"])
        case .symbolicLink:
            let path = root + "/" + one(["link-file", "link-dir", "link-missing", "link-device"])
            return (path, ["\(option): \(path) is a symbolic link, refused even if it points to a regular file"])
        case .device:
            let (path, kind) = one([(world.device, world.deviceKind), (root + "/fifo", "a named pipe")])
            return (path, ["\(option): \(path) is \(kind), not a \(folder ? "folder" : "regular file")"])
        case .overlongName:
            // A name over the 255-byte limit of a name, or a path over the 4096-byte limit of a path.
            let long = String(repeating: name, count: 300 / name.count + 1)
            let path = pick % 2 == 0 ? root + "/" + long.prefix(256 + length)
                                     : root + String(repeating: "/" + long.prefix(200), count: 21) + "/" + leaf
            return (path, ["\(option): cannot use ", "File name too long"])
        case .overlongTemporaryName:
            // A name that fits, but not with the temporary file's suffix (at least 18 more bytes).
            if folder { return nil }
            let path = root + "/" + String(String(repeating: name, count: 256 / name.count + 1).prefix(240 + length % 16))
            return (path, ["\(option): \(path) is too long to write: the temporary file"])
        case .empty:
            return ("", ["\(option): expected the path of a \(folder ? "folder" : "file") to write; got an empty path"])
        case .pseudoFileSystem:
            let place = one(["/proc", "/sys"])
            if folder {
                return pick % 3 == 2 ? ("/proc", ["\(option): cannot create files in the folder /proc"])
                                     : (place + "/" + name, ["\(option): cannot create the folder \(place)/\(name)"])
            }
            return (place + "/" + leaf, ["\(option): cannot create files in the directory \(place)"])
        }
    }

    /// The fuzz test: for every writing subcommand's output option and every kind of bad path, a drawn instance
    /// (names, lengths, variants from a seeded generator) is refused with exit 2 and one plain line naming the option
    /// and the path, nothing on stdout, and nothing changed on disk. The other arguments pass validation, so a path
    /// that validation let through would run (and write, or fail at the end with exit 1).
    @Test func badOutputPathsAreRefusedBeforeAnyWork() throws {
        try #require(!Self.record.isEmpty, "sweep --shard made no record for merge")
        try Self.withScratch { root in
            let world = try World(root)
            let commands: [(option: String, folder: Bool, arguments: (String) -> [String])] = [
                ("--out", false, { ["certify", "--arch", "3,2", "--samples", "4", "--out", $0] }),
                ("--plot", false, { ["calibrate", "--activation", "linear", "--arch", "3,2", "--samples", "4", "--plot", $0] }),
                ("--plot", false, { ["sweep", "--study", "samples", "--plot", $0] }),
                ("--plot", false, { ["merge", world.records, "--plot", $0] }),
                ("--out", true, { ["fixtures", "--arch", "3,2", "--samples", "4", "--out", $0] }),
            ]
            let parts = zip(Gen.letterOrNumber.string(of: 1...12), Gen.int(in: 0...11), Gen.int(in: 0...59))
            var generator = Xoshiro(seed: (0x6f75_7470_7574, 0x7061_7468, 2026, 5))
            var cases: [(arguments: [String], message: [String])] = []
            for command in commands {
                for kind in Kind.allCases {
                    let (name, pick, length) = parts.run(using: &generator)
                    guard let bad = Self.badPath(kind, folder: command.folder, option: command.option, world: world,
                                                 name: name, pick: pick, length: length) else { continue }
                    cases.append((command.arguments(bad.path), bad.message))
                }
            }
            // merge's plot must not be one of its inputs, under any spelling.
            let input = root + "/./records.jsonl"
            cases.append((["merge", world.records, "--plot", input],
                          ["--plot: \(input) is the input file \(world.records); writing it would destroy the input"]))
            #expect(cases.count == 49)
            let before = Self.snapshot(root)
            for (arguments, message) in cases {
                let run = try Binary.run(arguments)
                Self.expectRefused(run, message, arguments.joined(separator: " "))
                #expect(Self.snapshot(root) == before, "\(arguments.joined(separator: " ")) changed \(root)")
            }
        }
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

    /// merge refuses, naming file and line, every record it cannot place, instead of dropping or replacing it.
    @Test func mergeNamesEveryRecordItCannotPlace() throws {
        let record = Self.record.trimmingCharacters(in: .newlines)
        try #require(record.contains("\"index\":0,") && record.contains("\"samples\":10,"), "\(record)")
        try Self.withScratch { root in
            func file(_ name: String, _ text: String) throws -> String {
                try text.write(toFile: root + "/" + name, atomically: false, encoding: .utf8)
                return root + "/" + name
            }
            let good = try file("good.jsonl", record + "\n")
            let outside = try file("outside.jsonl", "\n" + record.replacingOccurrences(of: "\"index\":0,", with: "\"index\":9,") + "\n")
            let negative = try file("negative.jsonl", record.replacingOccurrences(of: "\"index\":0,", with: "\"index\":-1,"))
            // Point 1 of the samples study has N = 25; this record is point 0's, with N = 10.
            let shape = try file("shape.jsonl", record.replacingOccurrences(of: "\"index\":0,", with: "\"index\":1,"))
            let rerun = try file("rerun.jsonl", record.replacingOccurrences(of: "\"seconds\":", with: "\"seconds\":1"))
            let empty = try file("empty.jsonl", "{}\n")
            let plot = root + "/merged.svg"
            let cases: [([String], String)] = [
                ([outside], "\(outside):2: point 9 is not in the samples study, whose points are 0 to 8"),
                ([good, negative], "\(negative):1: point -1 is not in the samples study, whose points are 0 to 8"),
                ([shape], "\(shape):1: point 1 of the samples study has widths 64,10,10,10 and N = 25, but this record has widths 64,10,10,10 and N = 10"),
                ([good, good], "\(good):1: point 0 appears a second time (first at \(good):1); give each shard's file once"),
                ([good, rerun], "\(rerun):1: point 0 appears a second time, with other contents (first at \(good):1); the files come from different runs"),
                ([empty], "\(empty):1: not a sweep record (no field "),
                ([root], "cannot read \(root): Is a directory"),
            ]
            for (files, message) in cases {
                let run = try Binary.run(["merge"] + files + ["--plot", plot])
                Self.expectRefused(run, [message], files.joined(separator: " "))
                #expect(!FileManager.default.fileExists(atPath: plot), "no plot from a refused merge")
            }
            let merged = try Binary.run(["merge", good, "--plot", plot])
            #expect(merged.status == 1 && merged.stderr.contains("8 of 9 points of the samples study are missing"), "\(merged.stderr)")
            #expect(FileManager.default.fileExists(atPath: plot), "the good file alone merges (and reports the missing points)")
        }
    }
}
