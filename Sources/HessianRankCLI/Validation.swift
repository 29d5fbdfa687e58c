// Checks that several subcommands share, so that one input gets one message everywhere.
import ArgumentParser
import Foundation

enum Validate {
    /// --seed: a non-negative integer below 2^64.
    static func seed(_ text: String) throws {
        guard UInt64(text) != nil else {
            throw ValidationError("--seed: expected a non-negative integer below 2^64, e.g. --seed 7; got '\(text)'")
        }
    }

    /// The folder that `path` will be written into must exist (files are written there atomically).
    static func parentDirectory(of path: String, option: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(option): the directory \(directory) does not exist")
        }
    }
}
