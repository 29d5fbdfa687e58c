// `hessian-rank conjecture --input SHAPE --layers TEMPLATE`: a user's formulas on a grid of linear convolutional
// networks (`ConvolutionalGrid`), checked by the same engine and report as dense grids. Bias-free, linear, mse and at
// integer points only so far: the options that ask for anything else are refused by name.
import ArgumentParser
import HessianCore

extension ConjectureCommand {
    /// Refuses the options a convolutional grid does not take (and --input without --layers, or the reverse).
    func refuseForConvolutions() throws {
        guard convolutional else { return }
        guard !input.isEmpty, !layers.isEmpty else {
            throw ValidationError("--input and --layers go together: the grid is every --input shape times every --layers template, e.g. --input 1x8 --layers 'conv:1..3:2..3,dense:1..2'")
        }
        let dense = [("--inputs", inputs), ("--depth", depth), ("--hidden", hidden), ("--outputs", outputs), ("--arch", arch)]
        if let option = dense.first(where: { $0.1 != nil }) {
            throw ValidationError("\(option.0): not with --input and --layers, which give a grid of convolutional networks (\(option.0) is for dense ones)")
        }
        if bias != "off" {
            throw ValidationError("--bias \(bias): convolutional grids are bias-free so far; leave out --bias")
        }
        if activation != Activation.linear.rawValue {
            throw ValidationError("--activation \(activation): convolutional grids are linear so far; leave out --activation")
        }
        if lossFunction != Loss.mse.rawValue {
            throw ValidationError("--loss-function \(lossFunction): convolutional grids are under mse so far; leave out --loss-function")
        }
        if dataRank != "full" {
            throw ValidationError("--data-rank \(dataRank): convolutional grids draw full-rank data (r = min(N, C0 d) at a generic point); leave out --data-rank")
        }
    }

    /// The convolutional networks to check, each with its index in the whole grid (its seed is seed + index).
    func convolutionalCases() throws -> [(index: Int, item: ConvolutionalCase)] {
        let grid: ConvolutionalGrid
        do throws(InputError) {
            grid = try ConvolutionalGrid(inputs: try input.map { text throws(InputError) in try TensorShape(parsing: text) },
                                         templates: try layers.map { text throws(InputError) in try LayersTemplate(parsing: text) },
                                         samples: try samples.map { text throws(InputError) in try IntegerSet(parsing: text, name: "--samples") },
                                         maximumParameters: maxParameters)
        } catch { throw ValidationError(error.message) }
        let all = random.map { grid.randomCases($0, seed: UInt64(seed) ?? 0) } ?? grid.cases()
        guard !all.isEmpty else {
            throw ValidationError("the grid has no convolutional network with at most \(maxParameters) parameters whose kernels fit its input")
        }
        let (i, n) = shardValue ?? (1, 1)
        return ConjectureGrid.shard(all, i, of: n)
    }

    /// The command that certifies the ranks at the point where the minimal network was confirmed (`rank` draws the
    /// same point from the same seed).
    func convolutionCheckCommand(_ minimal: ConvolutionalCaseCheck, confirmed: ConvolutionalCaseCheck?) -> String {
        (["hessian-rank", "rank"] + minimal.network.commandLineOptions
            + ["--seed", String(confirmed?.seed ?? minimal.seeds[0]), "--certify"]).joined(separator: " ")
    }
}
