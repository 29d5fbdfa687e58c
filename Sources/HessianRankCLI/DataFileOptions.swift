// Data from files wherever a command would otherwise draw them (rank, sweep, calibrate, fixtures): `--x FILE.npy` and
// optionally `--y FILE.npy`, one option group with one set of checks and messages.
//
// The values are taken exactly: a finite float64 is an integer over a power of two (`Dyadic`), so the drawn integer
// weights and biases on these data are one integer problem with the same Hessian ranks (`DrawPlan.files`). Each
// command reads the headers first and judges memory from the shapes, before any values are read (`headers`), then
// reads the values (`values`) and judges again with their real size.
import ArgumentParser
import Foundation
import HessianCore

struct DataFileOptions: ParsableArguments {
    @Option(name: .customLong("x"), help: ArgumentHelp("""
        Data from a file instead of drawn: N x d, one sample per row (.npy as numpy.save writes it: float64, float32 \
        or int64, C order), used exactly at its values. Weights and biases are drawn from --seed (for relu and \
        leaky-relu by rank, sweep and calibrate from -2^20...2^20, so that many samples rarely put a unit exactly on \
        a kink).
        """, valueName: "file.npy"))
    var xFile: String?

    @Option(name: .customLong("y"), help: ArgumentHelp("""
        Targets for --x: N x K (.npy), used exactly. Left out, they are drawn from --seed (integers in -16...16).
        """, valueName: "file.npy"))
    var yFile: String?

    /// The headers of the files, checked; no values read.
    struct Headers {
        let x: WeightFiles.Matrix
        let y: WeightFiles.Matrix?
        var samples: Int { x.rows }
    }

    var given: Bool { xFile != nil }

    /// What records and reports call the data: "file:x.npy", or "file:x.npy,y.npy" with targets from a file.
    var label: String {
        "file:" + [xFile, yFile].compactMap { $0.map { URL(fileURLWithPath: $0).lastPathComponent } }.joined(separator: ",")
    }

    /// The paths given, for checks that an output does not overwrite an input.
    var paths: [String] { [xFile, yFile].compactMap { $0 } }

    func validate() throws {
        if let yFile, xFile == nil {
            throw ValidationError("--y \(yFile): only with --x (the targets of the data in that file)")
        }
    }

    /// Refuses `option` (e.g. "--data-rank") given beside --x, whose file gives the data.
    func refuse(_ option: String, given: Bool, because reason: String = "the file gives the data") throws {
        if let xFile, given { throw ValidationError("\(option): not with --x \(xFile) (\(reason))") }
    }

    /// The headers of --x and --y, checked against the network that reads them: d inputs and K outputs, as `what`
    /// states them ("--arch", "the width study"); a row count for the targets equal to the data's. No value is read.
    func headers(inputs d: Int, outputs k: Int, what: String) throws -> Headers {
        guard let xFile else { preconditionFailure("DataFileOptions.headers: no --x") }
        let x = try WeightFiles.header(xFile, option: "--x")
        guard x.columns == d else {
            throw ValidationError("--x \(xFile): the data have \(x.columns) columns but \(what) has d = \(d) inputs")
        }
        guard let yFile else { return Headers(x: x, y: nil) }
        let y = try WeightFiles.header(yFile, option: "--y")
        guard y.columns == k else {
            throw ValidationError("--y \(yFile): the targets have \(y.columns) columns but \(what) has K = \(k) outputs")
        }
        guard y.rows == x.rows else {
            throw ValidationError("--y \(yFile): \(y.rows) targets for the \(x.rows) samples in \(xFile); give one target row per sample")
        }
        return Headers(x: x, y: y)
    }

    /// --samples, when given beside --x, must be the file's row count.
    static func checkSamples(_ samples: String?, _ headers: Headers) throws {
        guard let samples else { return }
        guard let n = Int(samples), n >= 1 else {
            throw ValidationError("--samples: expected a positive integer number of samples; got '\(samples)' (with --x it may be left out: the file gives N)")
        }
        if n != headers.samples {
            throw ValidationError("--samples: \(n) does not match the \(headers.samples) rows of --x \(headers.x.path); leave --samples out (the file gives N)")
        }
    }

    /// The values of the files whose headers were checked (refused, naming the file, if they hold NaN or infinities).
    func values(_ headers: Headers) throws -> (x: [[Double]], y: [[Double]]?) {
        (try WeightFiles.matrix(headers.x), try headers.y.map(WeightFiles.matrix))
    }
}

extension DrawPlan {
    /// The problem this plan draws first at `seed`, refused (exit 2) if `workload` on it needs more than `limit`: the
    /// memory check with the values' real size, after the headers' check (which assumed small integers).
    func checkMemory(_ architecture: Architecture, samples: Int, seed: UInt64, limit: String,
                     workload: MemoryEstimate.Workload) throws {
        let problem = try draw(architecture, samples: samples, seed: seed, prime: nil)
        try NetworkOptions.checkMemory(architecture, samples: samples, values: .bits(problem.valueBits), limit: limit,
                                       workload: workload)
    }
}
