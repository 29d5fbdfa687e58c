// Writing output files, shared by every subcommand that writes one (certify, calibrate, fixtures, sweep, merge).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A command that ran on valid input but could not finish (exit 1, with the message on stderr).
/// A command that ran but failed (exit 1): a check failed (its report is already printed: `checkFailed`, no message),
/// or a file could not be written or certified (`message` on stderr). Bad input (exit 2) is `ValidationError`.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }

    /// A verification, conjecture check, certificate check or merge whose report says why it failed.
    static let checkFailed = CommandFailure(message: "")
}

/// Writes a file so that an interrupted run never leaves a partial file under the final name: write a temporary file
/// in the same directory, then rename it over the target.
///
/// Everything goes through the POSIX calls, so that a failure is one line with the system's reason (`strerror`), never
/// a Foundation error dump. Validation refuses in advance what it can see; what remains (a full disk, a folder
/// removed during the run) is a `CommandFailure`, exit 1.
enum AtomicFile {
    static func write(_ data: Data, to path: String) throws(CommandFailure) {
        let target = OutputPath(path)
        // Validation refused this already; checked again because the run may have taken hours. rename(2) would
        // replace a symbolic link or a device node by our file.
        switch FileKind(path) {
        case .missing, .regular: break
        case .unusable(let code): throw failure(path, code)
        case let kind: throw CommandFailure(message: "cannot write \(path): it is \(kind.description), not a regular file")
        }
        TemporaryFile.removeStale(of: target)
        let temporary = target.sibling(TemporaryFile.name(for: target.name))
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw failure(path, errno) }
        var failed = writeAll(data, to: descriptor)
        // Network file systems may report a failed write only when the file is closed. (After EINTR the file is
        // closed on Linux, and nothing was lost.)
        if close(descriptor) != 0, errno != EINTR, failed == nil { failed = errno }
        if let failed {
            unlink(temporary)
            throw failure(path, failed)
        }
        // rename(2) replaces the target atomically, whether or not it exists.
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure(path, code)
        }
    }

    /// Creates the folder `path` if it is missing (its parent must exist); an existing folder is fine.
    static func createFolder(_ path: String) throws(CommandFailure) {
        if mkdir(path, 0o777) == 0 { return }
        let code = errno
        let kind = FileKind(path, followingLinks: true)
        if code == EEXIST && kind == .directory { return }
        if code == EEXIST {
            throw CommandFailure(message: "cannot create the folder \(path): it exists and is \(kind.description)")
        }
        throw CommandFailure(message: "cannot create the folder \(path): \(String(cString: strerror(code)))")
    }

    static func failure(_ path: String, _ code: Int32) -> CommandFailure {
        CommandFailure(message: "cannot write \(path): \(String(cString: strerror(code)))")
    }
}

/// Writes all of `data` to the open file; nil, or errno. (Outside `AtomicFile`, whose `write` hides write(2).)
private func writeAll(_ data: Data, to descriptor: Int32) -> Int32? {
    data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Int32? in
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }
}

/// An output path split as the writes need it: the folder the temporary file goes into, and the target's name.
/// Plain string operations on the path as given (no URL standardization, which would rewrite `..` and `.`).
struct OutputPath {
    let path: String
    let directory: String
    let name: String

    init(_ path: String) {
        self.path = path
        guard let slash = path.lastIndex(of: "/") else {
            (directory, name) = (".", path)
            return
        }
        let head = String(path[..<slash])
        (directory, name) = (head.isEmpty ? "/" : head, String(path[path.index(after: slash)...]))
    }

    init(directory: String, name: String) {
        (path, self.directory, self.name) = (directory.hasSuffix("/") ? directory + name : directory + "/" + name, directory, name)
    }

    /// A file beside the target.
    func sibling(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

/// What is at a path, by lstat(2) (or stat(2), following links): the kinds an output check tells apart.
enum FileKind: Equatable {
    case missing, regular, directory, symbolicLink, characterDevice, blockDevice, namedPipe, socket
    /// lstat failed for another reason than a missing file (errno).
    case unusable(Int32)

    init(_ path: String, followingLinks: Bool = false) {
        var info = stat()
        guard (followingLinks ? stat(path, &info) : lstat(path, &info)) == 0 else {
            self = errno == ENOENT ? .missing : .unusable(errno)
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symbolicLink
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFIFO: self = .namedPipe
        default: self = .socket     // S_IFSOCK, the one kind left
        }
    }

    var description: String {
        switch self {
        case .missing: "missing"
        case .regular: "a regular file"
        case .directory: "a directory"
        case .symbolicLink: "a symbolic link"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .namedPipe: "a named pipe"
        case .socket: "a socket"
        case .unusable(let code): "unusable (\(String(cString: strerror(code))))"
        }
    }
}
