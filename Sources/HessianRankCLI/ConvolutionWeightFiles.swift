// Reading a linear CNN's weights and data for `rank --input --layers --weights`: from a folder of .npy files or one .npz
// or .safetensors file, in PyTorch's shapes, checked against --input and --layers with an error that names the file
// (and, in one file, the key) and the problem.
//
// The arrays: w1 ... wL, one per layer of --layers, each in its PyTorch shape ((C, C_in, k) or (C, C_in, k, k) for a
// convolution, (K, in) for a dense layer: `ConvolutionalArchitecture.weightShape`); b_t for exactly the layers that
// have a bias (C or K values: 1-d, C x 1 or 1 x C); the data x as a batch N x C x H x W (N x C x L in 1-D) or already
// flattened, N x (C H W); the targets y, N x K. A folder holds w_t.npy and b_t.npy, with --x and --y; one file holds the
// keys w_t and b_t, and x and y unless --x and --y give them (not both). Every header is read and checked before any
// array's values are read, as for dense networks (`WeightFiles`), whose readers and checks of values this reuses.
import ArgumentParser
import ArrayContainers
import Foundation
import HessianCore
import NPYFormat

enum ConvolutionWeightFiles {
    struct Headers {
        let weights: [WeightFiles.Matrix]
        /// One per layer: the bias of a layer with one, nil without.
        let biases: [WeightFiles.Matrix?]
        let x: WeightFiles.Matrix
        let y: WeightFiles.Matrix
        var samples: Int { x.rows }
    }

    /// "layer 2 (conv:2:3:same)".
    static func layerName(_ a: ConvolutionalArchitecture, _ t: Int) -> String { "layer \(t + 1) (\(a.layers[t].text))" }

    /// What the axes of layer t's weight are, for messages.
    static func axes(_ a: ConvolutionalArchitecture, _ t: Int) -> String {
        switch a.layers[t] {
        case .convolution: a.input.spatial.count == 1 ? "out channels, in channels, kernel" : "out channels, in channels, kernel, kernel"
        case .dense: "outputs, flattened inputs"
        }
    }

    /// The checked headers of the weights, biases, data and targets of `a` in `path` (a folder, with --x and --y, or
    /// one file) and the --x and --y files; no values are read.
    static func headers(_ a: ConvolutionalArchitecture, weights path: String, x xFile: String?, y yFile: String?) throws -> Headers {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("--weights \(path): no such folder or file (give a folder of w1.npy ... w\(a.depth).npy, or \(ArrayContainers.kinds))")
        }
        let (weights, biases, x, y): ([WeightFiles.Matrix], [WeightFiles.Matrix?], WeightFiles.Matrix, WeightFiles.Matrix)
        if isDirectory.boolValue {
            guard let xFile, let yFile else {
                throw ValidationError("--weights: give the data with --x FILE.npy and the targets with --y FILE.npy")
            }
            (weights, biases) = try folderHeaders(a, path)
            (x, y) = (try npyHeader(xFile, option: "--x"), try npyHeader(yFile, option: "--y"))
        } else {
            (weights, biases, x, y) = try containerHeaders(a, path, x: xFile, y: yFile)
        }
        for t in 0..<a.depth {
            let expected = a.weightShape(t), file = weights[t]
            guard file.shape == expected else {
                throw file.refused("shape \(WeightFiles.numpyShape(file.shape)) does not fit \(layerName(a, t)) on --input \(a.input): its weight has shape \(WeightFiles.numpyShape(expected)) (\(axes(a, t)))")
            }
            if let bias = biases[t] {
                let c = a.biasCount(t)
                guard bias.shape == [c] || bias.shape == [c, 1] || bias.shape == [1, c] else {
                    throw bias.refused("shape \(WeightFiles.numpyShape(bias.shape)) does not fit \(layerName(a, t)): its bias has \(c) values, as shape \(WeightFiles.numpyShape([c])), \(WeightFiles.numpyShape([c, 1])) or \(WeightFiles.numpyShape([1, c]))")
                }
            }
        }
        let batch = [a.input.channels] + a.input.spatial
        guard x.shape.count >= 2, x.shape[0] >= 1, Array(x.shape.dropFirst()) == batch || Array(x.shape.dropFirst()) == [a.input.count] else {
            let dims = batch.map(String.init).joined(separator: " x ")
            throw x.refused("shape \(WeightFiles.numpyShape(x.shape)) does not fit --input \(a.input): give the data as N x \(dims) or flattened, N x \(a.input.count)")
        }
        guard y.shape.count == 2, y.shape[0] >= 1, y.shape[1] == a.outputWidth else {
            throw y.refused("shape \(WeightFiles.numpyShape(y.shape)) does not fit \(layerName(a, a.depth - 1)): give the targets as N x \(a.outputWidth), one row per sample")
        }
        guard y.rows == x.rows else {
            let samples = if case .npy = x.source { x.path } else { "key x of \(x.path)" }
            throw y.refused("\(y.rows) targets for \(x.rows) samples in \(samples)")
        }
        return Headers(weights: weights, biases: biases, x: x, y: y)
    }

    /// The header of an .npy file, its shape not yet checked.
    static func npyHeader(_ path: String, option: String) throws -> WeightFiles.Matrix {
        let header: NPYHeader
        do throws(NPY.ReadError) { header = try NPY.header(contentsOf: path) } catch {
            throw ValidationError("\(option) \(path): \(error.reason)")
        }
        return WeightFiles.Matrix(option: option, path: path, source: .npy, shape: header.shape)
    }

    /// w1.npy ... wL.npy and the b_t.npy of the layers with a bias in `directory`; nothing else of those names.
    static func folderHeaders(_ a: ConvolutionalArchitecture, _ directory: String) throws -> ([WeightFiles.Matrix], [WeightFiles.Matrix?]) {
        let folder = URL(fileURLWithPath: directory)
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
        if exists("w\(a.depth + 1).npy") {
            throw ValidationError("--weights: \(directory) holds w\(a.depth + 1).npy but --layers has \(a.depth) layer\(a.depth == 1 ? "" : "s") (w1.npy ... w\(a.depth).npy)")
        }
        if exists("b\(a.depth + 1).npy") {
            throw ValidationError("--weights: \(directory) holds b\(a.depth + 1).npy but --layers has \(a.depth) layer\(a.depth == 1 ? "" : "s")")
        }
        var weights: [WeightFiles.Matrix] = [], biases: [WeightFiles.Matrix?] = []
        for t in 0..<a.depth {
            guard exists("w\(t + 1).npy") else {
                throw ValidationError("--weights: \(directory) holds no w\(t + 1).npy: give w1.npy ... w\(a.depth).npy, one per layer of --layers")
            }
            weights.append(try npyHeader(path("w\(t + 1).npy"), option: "--weights"))
            let hasBias = a.biasCount(t) > 0, bias = "b\(t + 1).npy"
            if hasBias != exists(bias) {
                throw ValidationError("--weights: \(directory) " + (hasBias ? "holds no \(bias), but \(layerName(a, t)) has a bias"
                    : "holds \(bias), but \(layerName(a, t)) has no bias: mark it :bias in --layers (or give --bias), or remove \(bias)"))
            }
            biases.append(hasBias ? try npyHeader(path(bias), option: "--weights") : nil)
        }
        return (weights, biases)
    }

    /// The keys of one file: w1 ... wL, b_t for the layers with a bias, x and y (each unless given by --x or --y),
    /// and nothing else.
    static func containerHeaders(_ a: ConvolutionalArchitecture, _ path: String, x: String?,
                                 y: String?) throws -> ([WeightFiles.Matrix], [WeightFiles.Matrix?], WeightFiles.Matrix, WeightFiles.Matrix) {
        let container: any ArrayContainer
        do { container = try ArrayContainers.open(path) } catch { throw ValidationError("--weights \(path): \(error)") }
        func refused(_ key: String?, _ reason: String) -> ValidationError {
            ValidationError("--weights \(path): " + (key.map { "key \(ContainerError.printable($0)): " } ?? "") + reason)
        }
        let keys = container.keys
        let listed = keys.prefix(12).map(ContainerError.printable).joined(separator: ", ") + (keys.count > 12 ? ", ..." : "")
        let biasKeys = (0..<a.depth).filter { a.biasCount($0) > 0 }.map { "b\($0 + 1)" }
        let expected = "the keys are w1 ... w\(a.depth) (one per layer of --layers, in PyTorch's shapes), "
            + (biasKeys.isEmpty ? "" : biasKeys.joined(separator: ", ") + " (the layers with a bias), ") + "and x and y"
        /// t (1-based) for "w<t>" or "b<t>" with no leading zero.
        func layer(_ key: String, _ letter: Character) -> Int? {
            guard key.first == letter, let t = Int(key.dropFirst()), t >= 1, String(t) == key.dropFirst() else { return nil }
            return t
        }
        for key in keys {
            if let t = layer(key, "w") ?? layer(key, "b") {
                guard t <= a.depth else {
                    throw refused(key, "but --layers has \(a.depth) layer\(a.depth == 1 ? "" : "s") (\(a.layersText))")
                }
                if key.first == "b" && a.biasCount(t - 1) == 0 {
                    throw refused(key, "\(layerName(a, t - 1)) has no bias: mark it :bias in --layers (or give --bias), or leave \(key) out")
                }
            } else if key != "x" && key != "y" {
                throw refused(key, "not an array of the network: \(expected)")
            }
        }
        for t in 1...a.depth where !keys.contains("w\(t)") {
            throw refused("w\(t)", "missing (the file holds " + (keys.isEmpty ? "no array" : listed) + "): give w1 ... w\(a.depth), one per layer of --layers")
        }
        for t in 1...a.depth where a.biasCount(t - 1) > 0 && !keys.contains("b\(t)") {
            throw refused("b\(t)", "missing: \(layerName(a, t - 1)) has a bias (the file holds \(listed))")
        }
        func array(_ key: String) throws -> WeightFiles.Matrix {
            let shape: [Int]
            do throws(ContainerError) { shape = try container.shape(of: key) } catch {
                throw refused(error.key == nil ? key : nil, "\(error)")
            }
            return WeightFiles.Matrix(option: "--weights", path: path, source: .container(container, key: key), shape: shape)
        }
        func data(_ key: String, _ file: String?, _ option: String) throws -> WeightFiles.Matrix {
            let inside = keys.contains(key)
            if let file {
                guard !inside else {
                    throw ValidationError("\(option) \(file): not with --weights \(path), which holds the \(key == "x" ? "data" : "targets") as key \(key); give them once (leave out \(option), or remove \(key) from the file)")
                }
                return try npyHeader(file, option: option)
            }
            guard inside else {
                throw refused(nil, "holds no key \(key): give the \(key == "x" ? "data" : "targets") with \(option) FILE.npy or as \(key) in the file")
            }
            return try array(key)
        }
        let weights = try (1...a.depth).map { try array("w\($0)") }
        let biases = try (1...a.depth).map { a.biasCount($0 - 1) > 0 ? try array("b\($0)") : nil }
        return (weights, biases, try data("x", x, "--x"), try data("y", y, "--y"))
    }

    /// The integer problem and its exponents from checked headers: the values read (finite, refused naming the file
    /// and key otherwise: `WeightFiles.values`) and made exact (`ConvolutionalProblem.exactWithExponents`).
    static func problem(_ a: ConvolutionalArchitecture,
                        _ headers: Headers) throws -> (problem: ConvolutionalProblem, exponents: ConvolutionalInputExponents) {
        let weights = try headers.weights.map { try WeightFiles.values($0).doubles }
        let biases = try headers.biases.map { try $0.map { try WeightFiles.values($0).doubles } }
        func rows(_ file: WeightFiles.Matrix) throws -> [[Double]] {
            let values = try WeightFiles.values(file).doubles, n = file.rows, width = values.count / n
            return (0..<n).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
        }
        do {
            return try ConvolutionalProblem.exactWithExponents(a, weights: weights, biases: biases, x: rows(headers.x),
                                                               y: rows(headers.y))
        } catch let error as InputError {
            throw ValidationError("--weights: \(error.message)")
        }
    }
}
