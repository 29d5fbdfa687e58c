// Reading a network and its data from .npy files, with an error that names the file and the problem.
//
// Every file's header is read and checked (a non-empty 2-d array; layers that chain; biases that fit their layer;
// data and targets that fit the network) before any file's data are read: a shape mismatch or an absurd size in the
// last file is refused without first reading a large first file. `headers` is that first step alone, for callers that
// estimate memory from the shapes before reading.
//
// Biases: b1.npy ... bL.npy beside w1.npy ... wL.npy, all of them or none. b_t holds M_t values as numpy users write
// them: 1-d (`np.save('b1.npy', layer.bias.detach().numpy())`), M_t x 1 or 1 x M_t.
import ArgumentParser
import Foundation
import NPYFormat

enum WeightFiles {
    /// A file's header, checked to describe a non-empty 2-d array (`rows`, `columns`) or a bias vector
    /// (`biasHeaders`), with the option and path that name it in messages.
    struct Matrix {
        let option: String
        let path: String
        let header: NPYHeader
        var rows: Int { header.shape[0] }
        var columns: Int { header.shape[1] }
    }

    /// The headers of w1.npy, w2.npy, ... in `directory` (consecutive, at least one), of b1.npy ... bL.npy (all or
    /// none; `biases` is empty for none), of the data and of the targets, checked against each other; no data are read.
    static func headers(directory: String, x: String,
                        y: String) throws -> (weights: [Matrix], biases: [Matrix], x: Matrix, y: Matrix) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--weights: \(directory) is not a directory")
        }
        var weights: [Matrix] = []
        while true {
            let path = URL(fileURLWithPath: directory).appendingPathComponent("w\(weights.count + 1).npy").path
            guard FileManager.default.fileExists(atPath: path) else { break }
            weights.append(try header(path, option: "--weights"))
        }
        guard !weights.isEmpty else { throw ValidationError("--weights: \(directory) holds no w1.npy") }
        for t in 1..<max(weights.count, 1) where weights[t].columns != weights[t - 1].rows {
            throw ValidationError("--weights: shape mismatch between layers: w\(t + 1).npy is \(weights[t].rows) x \(weights[t].columns) but w\(t).npy has \(weights[t - 1].rows) rows")
        }
        let biases = try biasHeaders(directory: directory, weights: weights)
        let data = try header(x, option: "--x"), targets = try header(y, option: "--y")
        let d = weights[0].columns, k = weights[weights.count - 1].rows
        guard data.columns == d else {
            throw ValidationError("--x \(x): the data have \(data.columns) columns but w1.npy has d = \(d) columns")
        }
        guard targets.columns == k else {
            throw ValidationError("--y \(y): the targets have \(targets.columns) columns but w\(weights.count).npy has K = \(k) rows")
        }
        guard targets.rows == data.rows else {
            throw ValidationError("--y \(y): \(targets.rows) targets for \(data.rows) samples in \(x)")
        }
        return (weights, biases, data, targets)
    }

    /// The headers of b1.npy ... bL.npy beside the L weight files: none, or all of them, each with as many values as
    /// its layer's W_t has rows.
    static func biasHeaders(directory: String, weights: [Matrix]) throws -> [Matrix] {
        let folder = URL(fileURLWithPath: directory)
        func path(_ t: Int) -> String { folder.appendingPathComponent("b\(t).npy").path }
        let depth = weights.count
        let present = (1...depth).filter { FileManager.default.fileExists(atPath: path($0)) }
        if FileManager.default.fileExists(atPath: path(depth + 1)) {
            throw ValidationError("--weights: \(directory) holds b\(depth + 1).npy but only \(depth) weight matrices (w1.npy ... w\(depth).npy)")
        }
        guard !present.isEmpty else { return [] }
        let missing = (1...depth).filter { !present.contains($0) }
        guard missing.isEmpty else {
            throw ValidationError("--weights: \(directory) holds " + present.map { "b\($0).npy" }.joined(separator: ", ")
                                  + " but not " + missing.map { "b\($0).npy" }.joined(separator: ", ")
                                  + ": give all of b1.npy ... b\(depth).npy (one bias per weight matrix) or none")
        }
        var headers: [Matrix] = []
        for t in 1...depth {
            let option = "--weights", file = path(t)
            let header: NPYHeader
            do { header = try NPY.header(contentsOf: file) } catch { throw ValidationError("\(option) \(file): \(error.reason)") }
            let rows = weights[t - 1].rows, shape = header.shape
            guard shape == [rows] || shape == [rows, 1] || shape == [1, rows] else {
                throw ValidationError("\(option) \(file): shape \(numpyShape(shape)) does not fit w\(t).npy of shape \(numpyShape(weights[t - 1].header.shape)): b\(t) needs \(rows) values, as shape \(numpyShape([rows])), \(numpyShape([rows, 1])) or \(numpyShape([1, rows]))")
            }
            headers.append(Matrix(option: option, path: file, header: header))
        }
        return headers
    }

    /// A shape as numpy prints it: (3,), (3, 2).
    static func numpyShape(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// The header of the file at `path`, which must describe a non-empty 2-d array.
    static func header(_ path: String, option: String) throws -> Matrix {
        let header: NPYHeader
        do { header = try NPY.header(contentsOf: path) } catch { throw ValidationError("\(option) \(path): \(error.reason)") }
        guard header.shape.count == 2, header.shape[0] > 0, header.shape[1] > 0 else {
            throw ValidationError("\(option) \(path): expected a non-empty 2-d array; got shape \(header.shape)")
        }
        return Matrix(option: option, path: path, header: header)
    }

    /// A non-empty 2-d array of finite values, its header checked before its data are read.
    static func matrix(_ path: String, option: String) throws -> [[Double]] {
        try matrix(header(path, option: option))
    }

    /// The values of a file whose header has been checked; the file must still hold what that header said.
    static func matrix(_ file: Matrix) throws -> [[Double]] {
        let array = try values(file)
        guard let rows = array.rows else { throw changed(file, array) }
        return rows
    }

    /// The values of a bias file (1-d, M x 1 or 1 x M, `biasHeaders`), as one vector.
    static func vector(_ file: Matrix) throws -> [Double] {
        let array = try values(file), values = array.doubles
        guard values.count == file.header.shape.reduce(1, *) else { throw changed(file, array) }
        return values
    }

    static func changed(_ file: Matrix, _ array: NPYArray) -> ValidationError {
        ValidationError("\(file.option) \(file.path): the file changed while it was being read (shape \(file.header.shape), then \(array.shape))")
    }

    /// The array in a file whose header has been checked, refused unless it still has that shape and only finite
    /// values that float64 holds exactly.
    static func values(_ file: Matrix) throws -> NPYArray {
        let (option, path) = (file.option, file.path)
        let array: NPYArray
        do { array = try NPY.read(contentsOf: path) } catch { throw ValidationError("\(option) \(path): \(error.reason)") }
        guard array.shape == file.header.shape else { throw changed(file, array) }
        if let bad = array.doubles.first(where: { !$0.isFinite }) {
            throw ValidationError("\(option) \(path): contains \(bad); only finite values have an exact rank")
        }
        if case .int64(let values) = array.values, let big = values.first(where: { $0.magnitude > 1 << 53 }) {
            throw ValidationError("\(option) \(path): the int64 value \(big) is beyond 2^53, which this reader takes through float64")
        }
        return array
    }
}
