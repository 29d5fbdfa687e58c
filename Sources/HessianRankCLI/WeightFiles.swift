// Reading a network and its data for `rank --weights`: from a folder of .npy files, or from one .npz or .safetensors
// file (ArrayContainers), with an error that names the file (and, in one file, the key) and the problem.
//
// Every array's header is read and checked (a non-empty 2-d array; layers that chain; biases that fit their layer;
// data and targets that fit the network) before any array's values are read: a shape mismatch or an absurd size in
// the last array is refused without first reading a large first one. `headers` is that first step alone, for callers
// that estimate memory from the shapes before reading.
//
// A folder holds w1.npy ... wL.npy, and b1.npy ... bL.npy beside them (all or none); the data and targets come from
// --x and --y. One file holds the arrays under the keys w1 ... wL, b1 ... bL (all or none), and optionally x and y,
// which are then the data and targets (--x and --y are refused beside them: the data come from one place); any other
// key is refused, so that a misspelt or a PyTorch name (fc1.weight) is not silently left out of the network.
// b_t holds M_t values as numpy users write them: 1-d (`np.save('b1.npy', layer.bias.detach().numpy())`), M_t x 1 or
// 1 x M_t.
import ArgumentParser
import ArrayContainers
import Foundation
import HessianCore
import NPYFormat

enum WeightFiles {
    /// Where an array is: an .npy file of its own, or a key of an .npz or .safetensors file.
    enum Source {
        case npy
        case container(any ArrayContainer, key: String)
    }

    /// An array's shape, checked to describe a non-empty 2-d array (`rows`, `columns`) or a bias vector
    /// (`biasHeaders`), with the option, path and key that name it in messages.
    struct Matrix {
        let option: String
        let path: String
        let source: Source
        let shape: [Int]
        var rows: Int { shape[0] }
        var columns: Int { shape[1] }

        /// What messages call it: "--x data.npy", "--weights model.npz: key w2".
        var name: String {
            switch source {
            case .npy: "\(option) \(path)"
            case .container(_, let key): "\(option) \(path): key \(ContainerError.printable(key))"
            }
        }

        /// Its name among the network's arrays: "w2.npy" in a folder, "w2" in one file.
        var shortName: String {
            switch source {
            case .npy: URL(fileURLWithPath: path).lastPathComponent
            case .container(_, let key): ContainerError.printable(key)
            }
        }

        func refused(_ reason: String) -> ValidationError { ValidationError("\(name): \(reason)") }
    }

    /// The checked shapes of the weights, the biases (empty for none), the data and the targets, from `weights` (a
    /// folder or one file) and the --x and --y files (which a folder needs, and one file holding x and y refuses);
    /// no values are read.
    static func headers(weights path: String, x: String?,
                        y: String?) throws -> (weights: [Matrix], biases: [Matrix], x: Matrix, y: Matrix) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("--weights \(path): no such folder or file (give a folder of w1.npy ... wL.npy, or \(ArrayContainers.kinds))")
        }
        let (weights, biases, data, targets): ([Matrix], [Matrix], Matrix, Matrix)
        if isDirectory.boolValue {
            guard let x, let y else {
                throw ValidationError("--weights: give the data with --x FILE.npy and the targets with --y FILE.npy")
            }
            (weights, biases) = try folderHeaders(path)
            (data, targets) = (try header(x, option: "--x"), try header(y, option: "--y"))
        } else {
            (weights, biases, data, targets) = try containerHeaders(path, x: x, y: y)
        }
        let d = weights[0].columns, k = weights[weights.count - 1].rows
        let (first, last) = (weights[0].shortName, weights[weights.count - 1].shortName)
        guard data.columns == d else {
            throw data.refused("the data have \(data.columns) columns but \(first) has d = \(d) columns")
        }
        guard targets.columns == k else {
            throw targets.refused("the targets have \(targets.columns) columns but \(last) has K = \(k) rows")
        }
        guard targets.rows == data.rows else {
            let samples = if case .npy = data.source { data.path } else { "key x of \(data.path)" }
            throw targets.refused("\(targets.rows) targets for \(data.rows) samples in \(samples)")
        }
        return (weights, biases, data, targets)
    }

    /// The headers of w1.npy, w2.npy, ... in `directory` (consecutive, at least one) and of b1.npy ... bL.npy.
    static func folderHeaders(_ directory: String) throws -> (weights: [Matrix], biases: [Matrix]) {
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
        return (weights, try biasHeaders(directory: directory, weights: weights))
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
        return try (1...depth).map { t in
            let file = path(t)
            let header: NPYHeader
            do throws(NPY.ReadError) { header = try NPY.header(contentsOf: file) } catch {
                throw ValidationError("--weights \(file): \(error.reason)")
            }
            return try bias(Matrix(option: "--weights", path: file, source: .npy, shape: header.shape), layer: t, of: weights[t - 1])
        }
    }

    /// `file`, b_t, checked to hold as many values as `weight`, W_t, has rows.
    static func bias(_ file: Matrix, layer t: Int, of weight: Matrix) throws -> Matrix {
        let rows = weight.rows, shape = file.shape
        guard shape == [rows] || shape == [rows, 1] || shape == [1, rows] else {
            throw file.refused("shape \(numpyShape(shape)) does not fit \(weight.shortName) of shape \(numpyShape(weight.shape)): b\(t) needs \(rows) values, as shape \(numpyShape([rows])), \(numpyShape([rows, 1])) or \(numpyShape([1, rows]))")
        }
        return file
    }

    /// The keys of one file: w1 ... wL, b1 ... bL (all or none), x and y (each unless given by --x or --y), and
    /// nothing else; their shapes, checked as a folder's.
    static func containerHeaders(_ path: String, x: String?,
                                 y: String?) throws -> (weights: [Matrix], biases: [Matrix], x: Matrix, y: Matrix) {
        let container: any ArrayContainer
        do { container = try ArrayContainers.open(path) } catch { throw ValidationError("--weights \(path): \(error)") }
        func refused(_ key: String?, _ reason: String) -> ValidationError {
            ValidationError("--weights \(path): " + (key.map { "key \(ContainerError.printable($0)): " } ?? "") + reason)
        }
        /// t for "w<t>" or "b<t>" (t >= 1, no leading zero).
        func layer(_ key: String, _ letter: Character) -> Int? {
            guard key.first == letter, let t = Int(key.dropFirst()), t >= 1, String(t) == key.dropFirst() else { return nil }
            return t
        }
        let keys = container.keys
        let expected = "the keys are w1 ... wL, b1 ... bL (optional) and x and y (the data and targets, optional)"
        var weightLayers: [Int] = [], biasLayers: [Int] = []
        for key in keys {
            if let t = layer(key, "w") { weightLayers.append(t) } else if let t = layer(key, "b") { biasLayers.append(t) }
            else if key != "x" && key != "y" { throw refused(key, "not an array of the network: \(expected)") }
        }
        let listed = keys.prefix(12).map(ContainerError.printable).joined(separator: ", ") + (keys.count > 12 ? ", ..." : "")
        // The depth: the last weight, or the last of a complete run of biases b1 ... bT beyond it (then a weight is
        // missing, not a bias too many).
        var biasRun = 0
        while biasLayers.contains(biasRun + 1) { biasRun += 1 }
        guard let lastWeight = weightLayers.max() else {
            throw refused(nil, "holds no key w1 (it holds " + (keys.isEmpty ? "no array" : listed) + "): \(expected)")
        }
        let depth = max(lastWeight, biasRun)
        if let t = (1...depth).first(where: { !weightLayers.contains($0) }) {
            throw refused("w\(t)", "missing (the file holds \(listed)): give w1 ... w\(depth), one per layer")
        }
        if let t = biasLayers.first(where: { $0 > depth }) {
            throw refused("b\(t)", "but only \(depth) weight " + (depth == 1 ? "matrix (w1)" : "matrices (w1 ... w\(depth))"))
        }
        if !biasLayers.isEmpty, let t = (1...depth).first(where: { !biasLayers.contains($0) }) {
            throw refused("b\(t)", "missing, beside " + biasLayers.sorted().map { "b\($0)" }.joined(separator: ", ")
                          + ": give all of b1 ... b\(depth) (one bias per weight matrix) or none")
        }
        /// The key's array as a Matrix, its shape read (an .npz member's .npy header) but not checked.
        func array(_ key: String) throws -> Matrix {
            let shape: [Int]
            do throws(ContainerError) { shape = try container.shape(of: key) } catch {
                throw refused(error.key == nil ? key : nil, "\(error)")
            }
            return Matrix(option: "--weights", path: path, source: .container(container, key: key), shape: shape)
        }
        /// The data (`key` x) or targets (y): from the file, or from `file` (--x or --y), not both.
        func data(_ key: String, _ file: String?, _ option: String) throws -> Matrix {
            let inside = keys.contains(key)
            if let file {
                guard !inside else {
                    throw ValidationError("\(option) \(file): not with --weights \(path), which holds the \(key == "x" ? "data" : "targets") as key \(key); give them once (leave out \(option), or remove \(key) from the file)")
                }
                return try Self.header(file, option: option)
            }
            guard inside else {
                throw refused(nil, "holds no key \(key): give the \(key == "x" ? "data" : "targets") with \(option) FILE.npy or as \(key) in the file")
            }
            return try checked(array(key))
        }
        let weights = try (1...depth).map { try checked(array("w\($0)")) }
        for t in 1..<depth where weights[t].columns != weights[t - 1].rows {
            throw weights[t].refused("shape mismatch between layers: w\(t + 1) is \(weights[t].rows) x \(weights[t].columns) but w\(t) has \(weights[t - 1].rows) rows")
        }
        let biases = biasLayers.isEmpty ? [] : try (1...depth).map { try bias(array("b\($0)"), layer: $0, of: weights[$0 - 1]) }
        return (weights, biases, try data("x", x, "--x"), try data("y", y, "--y"))
    }

    /// A shape as numpy prints it: (3,), (3, 2).
    static func numpyShape(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// The header of the .npy file at `path`, which must describe a non-empty 2-d array.
    static func header(_ path: String, option: String) throws -> Matrix {
        let header: NPYHeader
        do { header = try NPY.header(contentsOf: path) } catch { throw ValidationError("\(option) \(path): \(error.reason)") }
        return try checked(Matrix(option: option, path: path, source: .npy, shape: header.shape))
    }

    /// `file`, refused unless it describes a non-empty 2-d array.
    static func checked(_ file: Matrix) throws -> Matrix {
        guard file.shape.count == 2, file.shape[0] > 0, file.shape[1] > 0 else {
            let hint = file.option == "--weights" && file.shape.count > 2
                ? " (a convolution's weight? give the network with --input and --layers)" : ""
            throw file.refused("expected a non-empty 2-d array; got shape \(file.shape)" + hint)
        }
        return file
    }

    /// A non-empty 2-d array of finite values, its header checked before its data are read.
    static func matrix(_ path: String, option: String) throws -> [[Double]] {
        try matrix(header(path, option: option))
    }

    /// The dense network the checked headers describe (widths from the weights' shapes, a bias in every layer when
    /// there are bias files), or the reason it cannot be one, as `--weights`.
    static func architecture(_ headers: (weights: [Matrix], biases: [Matrix], x: Matrix, y: Matrix)) throws -> Architecture {
        do {
            return try Architecture(widths: [headers.weights[0].columns] + headers.weights.map(\.rows), bias: !headers.biases.isEmpty)
        } catch {
            throw ValidationError("--weights: \(error.message)")
        }
    }

    /// The values the checked headers describe (`headers`), and the exact integer problem of those values with the
    /// powers of two between them (`Problem.exactWithExponents`), refused with its reason as `--weights`.
    static func exactProblem(_ headers: (weights: [Matrix], biases: [Matrix], x: Matrix, y: Matrix)) throws
        -> (values: (weights: [[[Double]]], biases: [[Double]], x: [[Double]], y: [[Double]]), problem: Problem,
            exponents: InputExponents) {
        let values = (weights: try headers.weights.map(matrix), biases: try headers.biases.map(vector),
                      x: try matrix(headers.x), y: try matrix(headers.y))
        do {
            let (problem, exponents) = try Problem.exactWithExponents(weights: values.weights, biases: values.biases,
                                                                      x: values.x, y: values.y)
            return (values, problem, exponents)
        } catch {
            throw ValidationError("--weights: \(error.message)")
        }
    }

    /// The values of an array whose header has been checked; the file must still hold what that header said.
    static func matrix(_ file: Matrix) throws -> [[Double]] {
        let array = try values(file)
        guard let rows = array.rows else { throw changed(file, array) }
        return rows
    }

    /// The values of a bias (1-d, M x 1 or 1 x M, `biasHeaders`), as one vector.
    static func vector(_ file: Matrix) throws -> [Double] {
        let array = try values(file), values = array.doubles
        guard values.count == file.shape.reduce(1, *) else { throw changed(file, array) }
        return values
    }

    static func changed(_ file: Matrix, _ array: NPYArray) -> ValidationError {
        file.refused("the file changed while it was being read (shape \(file.shape), then \(array.shape))")
    }

    /// The array of a file or key whose header has been checked, refused unless it still has that shape and only
    /// finite values that float64 holds exactly.
    static func values(_ file: Matrix) throws -> NPYArray {
        let array: NPYArray
        switch file.source {
        case .npy:
            do { array = try NPY.read(contentsOf: file.path) } catch { throw file.refused(error.reason) }
        case .container(let container, let key):
            do { array = try container.array(key) } catch { throw file.refused(error.reason) }
        }
        guard array.shape == file.shape else { throw changed(file, array) }
        if let bad = array.doubles.first(where: { !$0.isFinite }) {
            throw file.refused("contains \(bad); only finite values have an exact rank")
        }
        if case .int64(let values) = array.values, let big = values.first(where: { $0.magnitude > 1 << 53 }) {
            throw file.refused("the int64 value \(big) is beyond 2^53, which this reader takes through float64")
        }
        return array
    }
}
