// The temporary files of AtomicFile: their names, the probe that validation makes with one, and the removal of the
// ones that killed runs left behind.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A temporary file is named `.NAME.HOST.PID.RANDOM.tmp` beside its target NAME: HOST is the first label of this
/// machine's host name (letters, digits and '-'), PID the writer's process id, RANDOM 8 lowercase hex digits.
///
/// A run killed between creating the file and renaming it leaves the file behind. Each write first removes the
/// left-overs of its own target (names of exactly this form, compared byte for byte), and only those that nobody can
/// still be writing:
/// - from this host: when the writer's pid is no longer alive (kill(pid, 0) fails with ESRCH). A concurrent run
///   writing the same target keeps its file, since its pid is alive; a reused pid only keeps a left-over longer.
/// - from another host sharing the folder (a cluster file system), whose processes this host cannot see, and the
///   `.NAME.UUID.tmp` files of earlier versions, which name no writer: when not modified for an hour. A writer writes
///   its data in one go right after creating the file, so an hour without a modification means it is gone (or was
///   stopped inside the write for an hour; then its rename fails, exit 1, and no partial file is left).
/// The host is in the name because a pid means something only on its own host.
enum TemporaryFile {
    /// Seconds without a modification after which a file whose writer cannot be asked counts as left behind.
    static let staleAge = 3600

    static func name(for target: String) -> String {
        let random = String(UInt32.random(in: .min ... .max), radix: 16)
        return ".\(target).\(host).\(getpid()).\(String(repeating: "0", count: 8 - random.count) + random).tmp"
    }

    /// This machine's host name up to the first dot, other characters than letters, digits and '-' replaced by '-'.
    static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let label = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).prefix { $0 != "." }
        let safe = String(label.unicodeScalars.map { c -> Character in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) ? Character(c) : "-"
        })
        return safe.isEmpty ? "localhost" : String(safe.prefix(63))
    }()

    /// Who made a temporary file, read off its name.
    enum Writer: Equatable {
        case process(host: String, pid: pid_t)
        /// An earlier version's `.NAME.UUID.tmp`.
        case unnamed
    }

    /// The writer of `file` if it is a temporary file of `target` (both as bytes: names need not be UTF-8), else nil.
    static func writer(of file: [UInt8], target: [UInt8]) -> Writer? {
        let prefix = [UInt8(ascii: ".")] + target + [UInt8(ascii: ".")], suffix = Array(".tmp".utf8)
        guard file.count > prefix.count + suffix.count, file.starts(with: prefix), file.reversed().starts(with: suffix.reversed()) else {
            return nil
        }
        let middle = Array(file[prefix.count..<(file.count - suffix.count)])
        let parts = middle.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init)
        func all(_ bytes: [UInt8], _ allowed: (UInt8) -> Bool) -> Bool { !bytes.isEmpty && bytes.allSatisfy(allowed) }
        let digit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        let hex = { (b: UInt8) in digit(b) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f")) }
        let letter = { (b: UInt8) in (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
        if parts.count == 3, all(parts[0], { letter($0) || digit($0) || $0 == UInt8(ascii: "-") }),
           parts[1].count <= 10, all(parts[1], digit), let pid = Int32(String(decoding: parts[1], as: UTF8.self)), pid > 0,
           parts[2].count == 8, all(parts[2], hex) {
            return .process(host: String(decoding: parts[0], as: UTF8.self), pid: pid)
        }
        if parts.count == 1, middle.count == 36, UUID(uuidString: String(decoding: middle, as: UTF8.self)) != nil {
            return .unnamed
        }
        return nil
    }

    /// Removes the temporary files of `target` whose writers are gone (see the type's comment). Best effort: a file
    /// that cannot be inspected or removed stays.
    static func removeStale(of target: OutputPath) {
        guard let folder = opendir(target.directory) else { return }
        var names: [[UInt8]] = []
        while let entry = readdir(folder) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) })
        }
        closedir(folder)
        let targetName = Array(target.name.utf8), now = time(nil)
        for name in names {
            guard let writer = writer(of: name, target: targetName) else { continue }
            let path = Array(target.sibling("").utf8) + name
            var info = stat()
            guard withPath(path, { lstat($0, &info) }) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let stale: Bool
            switch writer {
            case .process(let host, let pid) where host == Self.host:
                stale = kill(pid, 0) != 0 && errno == ESRCH
            case .process, .unnamed:
                stale = now - info.st_mtim.tv_sec > staleAge
            }
            if stale { _ = withPath(path) { unlink($0) } }
        }
    }

    /// Creates a temporary file beside `target`, as the write will, and removes it at once: nil if that worked, else
    /// errno. This is validation's test that the write can happen; unlike access(2) it means something as root too
    /// (read-only mounts, /proc, /sys) and it also finds a name too long once the temporary suffix is added.
    static func probe(_ target: OutputPath) -> Int32? {
        let path = target.sibling(name(for: target.name))
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return errno }
        close(descriptor)
        unlink(path)
        return nil
    }

    /// Calls `body` with `bytes` as a NUL-terminated C string.
    static func withPath<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (bytes + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }
}
