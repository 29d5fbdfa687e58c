// Checks that several subcommands share, so that one input gets one message everywhere.
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum Validate {
    /// --seed: a non-negative integer below 2^64.
    /// (i, n) from a `--shard i/n` text with 1 <= i <= n (1-based; shard i runs the items whose index is i - 1
    /// modulo n), or nil for anything else.
    static func shard(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, i >= 1, i <= n else { return nil }
        return (i, n)
    }

    /// The values of `--only LIST` (comma-separated, each one of the study's `values`, none twice), or a
    /// ValidationError naming the bad item and the study's values.
    static func only(_ text: String, values: [Int], variable: String, study: String) throws -> [Int] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let listed = "the \(study) study's \(variable) are " + values.map(String.init).joined(separator: ", ")
        var chosen: [Int] = []
        for item in items {
            guard let value = Int(item), values.contains(value) else {
                throw ValidationError("--only: '\(item)' is not a point of the \(study) study; \(listed)")
            }
            guard !chosen.contains(value) else { throw ValidationError("--only: \(value) is listed twice") }
            chosen.append(value)
        }
        return chosen
    }

    static func seed(_ text: String) throws {
        guard UInt64(text) != nil else {
            throw ValidationError("--seed: expected a non-negative integer below 2^64, e.g. --seed 7; got '\(text)'")
        }
    }

    /// A file that the command writes at the end (--out, --plot): everything that would make that write fail is
    /// refused here, before any work, so that a run of hours does not end in an error. The file is written under a
    /// temporary name beside it and renamed over it (`AtomicFile`), so:
    /// - the path must name a file (not empty, no trailing '/'), in a folder that exists;
    /// - an existing target must be a regular file. rename(2) replaces whatever has the name: a device node such as
    ///   /dev/full (run as root), or a symbolic link, even one to a regular file, whose target would stay unchanged
    ///   while the link became our file. Checked with lstat(2), so the link itself is seen;
    /// - the folder must take a new file of the temporary name. Tested by creating one and removing it: access(2)
    ///   says yes to root almost everywhere, while the creation fails as the write would (/proc, /sys, read-only
    ///   mounts) and also finds a name too long once the temporary suffix is added.
    static func outputFile(_ path: String, option: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(option): expected the path of a file to write; got an empty path") }
        guard !path.hasSuffix("/") else {
            throw ValidationError("\(option): \(path) ends with '/', so it names a directory; give the path of a file to write")
        }
        let target = OutputPath(path)
        try existingFolder(target.directory, option: option)
        switch FileKind(path) {
        case .missing, .regular:
            break
        case .symbolicLink:
            throw ValidationError("\(option): \(path) is a symbolic link, refused even if it points to a regular file: the file is written under a temporary name and renamed over the link, which would replace the link and leave what it points to unchanged; give the path it points to")
        case .directory:
            throw ValidationError("\(option): \(path) is a directory; give the path of a file to write")
        case .unusable(let code):
            throw ValidationError("\(option): cannot use \(path): \(reason(code))")
        case let kind:
            throw ValidationError("\(option): \(path) is \(kind.description), not a regular file; writing would replace it by a file")
        }
        if let code = TemporaryFile.probe(target) { throw probeFailure(code, target, option: option) }
    }

    /// The folder that `fixtures` writes (--out): an existing folder where files can be created, or a new name in an
    /// existing folder (created in run(); here it is created and removed again, to see that it can be). A symbolic
    /// link to a folder is accepted, unlike for files: the files are written inside the folder it points to and the
    /// link is never replaced.
    static func outputFolder(_ path: String, option: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(option): expected the path of a folder to write; got an empty path") }
        var folder = path
        while folder.count > 1 && folder.hasSuffix("/") { folder.removeLast() }
        switch FileKind(folder, followingLinks: true) {
        case .directory:
            if let code = TemporaryFile.probe(OutputPath(directory: folder, name: "manifest.json")) {
                throw ValidationError("\(option): cannot create files in the folder \(path): \(reason(code))")
            }
        case .missing:
            if FileKind(folder) == .symbolicLink {
                throw ValidationError("\(option): \(path) is a symbolic link to a missing path; give an existing folder or a new name")
            }
            try existingFolder(OutputPath(folder).directory, option: option)
            guard mkdir(folder, 0o700) == 0 else {
                let code = errno
                if code == EEXIST && FileKind(folder, followingLinks: true) == .directory { return }   // made meanwhile
                throw ValidationError("\(option): cannot create the folder \(path): \(reason(code))")
            }
            rmdir(folder)
        case .unusable(ENOTDIR):
            try existingFolder(OutputPath(folder).directory, option: option)
            throw ValidationError("\(option): cannot use \(path): \(reason(ENOTDIR))")
        case .unusable(let code):
            throw ValidationError("\(option): cannot use \(path): \(reason(code))")
        case let kind:
            let link = FileKind(folder) == .symbolicLink ? "a symbolic link to " : ""
            throw ValidationError("\(option): \(path) is \(link)\(kind.description), not a folder")
        }
    }

    /// An output must not be one of the command's input files: writing it would destroy the input. Compared by
    /// device and inode, so that another spelling or a hard link of the same file is caught too.
    static func output(_ path: String, option: String, isNotAmong inputs: [String]) throws {
        var written = stat()
        guard stat(path, &written) == 0 else { return }
        for input in inputs {
            var read = stat()
            if stat(input, &read) == 0 && read.st_dev == written.st_dev && read.st_ino == written.st_ino {
                throw ValidationError("\(option): \(path) is the input file \(input); writing it would destroy the input")
            }
        }
    }

    /// The folder a file goes into must exist and be a directory; a path through a file names the file.
    static func existingFolder(_ directory: String, option: String) throws {
        switch FileKind(directory, followingLinks: true) {
        case .directory:
            return
        case .missing:
            throw ValidationError("\(option): the directory \(directory) does not exist")
        case .unusable(ENOTDIR):
            // A component on the way is not a directory: name the first such.
            var prefix = directory.hasPrefix("/") ? "" : "."
            for component in directory.split(separator: "/") {
                prefix += "/" + component
                let kind = FileKind(prefix, followingLinks: true)
                if kind != .directory && kind != .missing {
                    let shown = directory.hasPrefix("/") ? prefix : String(prefix.dropFirst(2))
                    throw ValidationError("\(option): \(shown) is \(kind.description), not a directory")
                }
            }
            throw ValidationError("\(option): cannot use the directory \(directory): \(reason(ENOTDIR))")
        case .unusable(let code):
            throw ValidationError("\(option): cannot use the directory \(directory): \(reason(code))")
        case let kind:
            throw ValidationError("\(option): \(directory) is \(kind.description), not a directory")
        }
    }

    static func probeFailure(_ code: Int32, _ target: OutputPath, option: String) -> ValidationError {
        if code == ENAMETOOLONG {
            let extra = TemporaryFile.name(for: target.name).utf8.count - target.name.utf8.count
            return ValidationError("\(option): \(target.path) is too long to write: the temporary file written beside it has a name \(extra) bytes longer, which exceeds this file system's limit; give a shorter name")
        }
        return ValidationError("\(option): cannot create files in the directory \(target.directory): \(reason(code))")
    }

    static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
