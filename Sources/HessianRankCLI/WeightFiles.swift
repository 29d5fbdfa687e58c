// Reading a network and its data from .npy files, with an error that names the file and the problem.
import ArgumentParser
import Foundation
import NPYFormat

enum WeightFiles {
    /// w1.npy, w2.npy, ... from `directory` (consecutive, at least one), and the data and targets.
    static func load(directory: String, x: String, y: String) throws -> (weights: [[[Double]]], x: [[Double]], y: [[Double]]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--weights: \(directory) is not a directory")
        }
        var weights: [[[Double]]] = []
        while true {
            let path = URL(fileURLWithPath: directory).appendingPathComponent("w\(weights.count + 1).npy").path
            guard FileManager.default.fileExists(atPath: path) else { break }
            weights.append(try matrix(path, option: "--weights"))
        }
        guard !weights.isEmpty else { throw ValidationError("--weights: \(directory) holds no w1.npy") }
        for t in 1..<max(weights.count, 1) where weights[t].first?.count != weights[t - 1].count {
            throw ValidationError("--weights: shape mismatch between layers: w\(t + 1).npy is \(weights[t].count) x \(weights[t].first?.count ?? 0) but w\(t).npy has \(weights[t - 1].count) rows")
        }
        let data = try matrix(x, option: "--x"), targets = try matrix(y, option: "--y")
        let d = weights[0].first?.count ?? 0, k = weights[weights.count - 1].count
        guard data.first?.count == d else {
            throw ValidationError("--x \(x): the data have \(data.first?.count ?? 0) columns but w1.npy has d = \(d) columns")
        }
        guard targets.first?.count == k else {
            throw ValidationError("--y \(y): the targets have \(targets.first?.count ?? 0) columns but w\(weights.count).npy has K = \(k) rows")
        }
        guard targets.count == data.count else {
            throw ValidationError("--y \(y): \(targets.count) targets for \(data.count) samples in \(x)")
        }
        return (weights, data, targets)
    }

    /// A non-empty 2-d array of finite values.
    static func matrix(_ path: String, option: String) throws -> [[Double]] {
        let array: NPYArray
        do { array = try NPY.read(contentsOf: path) } catch { throw ValidationError("\(option) \(path): \(error.reason)") }
        guard let rows = array.rows, !rows.isEmpty, !rows[0].isEmpty else {
            throw ValidationError("\(option) \(path): expected a non-empty 2-d array; got shape \(array.shape)")
        }
        if let bad = array.doubles.first(where: { !$0.isFinite }) {
            throw ValidationError("\(option) \(path): contains \(bad); only finite values have an exact rank")
        }
        if case .int64(let values) = array.values, let big = values.first(where: { $0.magnitude > 1 << 53 }) {
            throw ValidationError("\(option) \(path): the int64 value \(big) is beyond 2^53, which this reader takes through float64")
        }
        return rows
    }
}
