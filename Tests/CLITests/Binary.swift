// Runs the built `hessian-rank` executable, as a user would, and captures its exit code, stdout and stderr.
import Foundation

struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum Binary {
    /// The executable sits beside the test bundle in SwiftPM's build directory.
    static let url: URL = {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        for directory in candidates {
            let url = directory.appendingPathComponent("hessian-rank")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        fatalError("hessian-rank not found beside the tests (looked in \(candidates.map(\.path)))")
    }()

    /// Runs with `arguments`, in this process's environment with `environment` added.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hessian-rank-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8))
    }
}
