// Writing output files, shared by every subcommand that writes one (certify, calibrate, fixtures, sweep, merge).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A command that ran on valid input but could not finish (exit 1, with the message on stderr).
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Writes a file so that an interrupted run never leaves a partial file under the final name: write a temporary file
/// in the same directory, then rename it over the target.
enum AtomicFile {
    static func write(_ data: Data, to path: String) throws {
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
        try data.write(to: temporary)
        // rename(2) replaces the target atomically, whether or not it exists.
        guard rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure(message: "cannot write \(path): \(reason)")
        }
    }
}
