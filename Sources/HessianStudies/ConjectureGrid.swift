// The grid of networks `hessian-rank conjecture` tests a formula on, and the shrink steps that take a counterexample
// down to a smallest one.
//
// A grid is a product of sets (inputs d, depth L, hidden widths, outputs K, samples N, data ranks, bias, activation,
// loss) cut down by a parameter budget. The budget is what keeps grids small, so the enumeration is built around it:
// p grows with every width, and every set is sorted, so a depth-first walk over the widths stops a loop at the first
// width past the budget, counting the fewest parameters the layers still to come must add. Every walk it starts
// ends in a network, so walking costs what the networks it yields cost, however large the sets are. The cases
// themselves are a lazy sequence: a grid of 10^6 cases is counted (`exhaustiveCount`) without building one.
import ExactAlgebra
import Foundation
import NetworkModel

/// A set of nonnegative integers written as ranges and values: "2..8", "1,2,3,5", "1..3,8", "4".
public struct IntegerSet: Sendable, Equatable, CustomStringConvertible {
    /// Sorted ascending, unique, nonempty.
    public let values: [Int]

    /// At most this many values: a set is held as an array, and a grid option of more is a typo (1..10000000).
    public static let maximumCount = 100_000

    public init(_ values: [Int]) {
        precondition(!values.isEmpty && values.allSatisfy { $0 >= 0 }, "IntegerSet: nonempty, of nonnegative integers")
        self.values = Array(Set(values)).sorted()
    }

    /// Parses comma-separated items, each a value "a" or a range "a..b" (both ends included); errors name the option.
    public init(parsing text: String, name: String) throws(InputError) {
        let usage = "write a..b, a list a,b,c or both, e.g. 2..8 or 1,2,3,5"
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw InputError("\(name): no values; \(usage)") }
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let ends = item.components(separatedBy: "..").map { $0.trimmingCharacters(in: .whitespaces) }
            guard ends.count <= 2, let first = Int(ends[0]), let last = Int(ends[ends.count - 1]) else {
                throw InputError("\(name): '\(item)' is not a range; \(usage)")
            }
            if let negative = ends.first(where: { Int($0)! < 0 }) {
                throw InputError("\(name): '\(negative)' must be a nonnegative integer")
            }
            guard first <= last else { throw InputError("\(name): \(item) is empty (the first end is larger)") }
            // Both ends are nonnegative, so the difference cannot overflow; checked item by item, the set never holds
            // more than twice the maximum, whatever the text.
            guard last - first < Self.maximumCount else {
                throw InputError("\(name): \(item) has more than \(Self.maximumCount) values")
            }
            values.formUnion(first...last)
            guard values.count <= Self.maximumCount else {
                throw InputError("\(name): \(text.trimmingCharacters(in: .whitespaces)) has more than \(Self.maximumCount) values")
            }
        }
        self.init(Array(values))
    }

    /// The shortest text that parses back to the set: runs of three or more consecutive values as a..b.
    public var description: String {
        var items: [String] = [], start = 0
        while start < values.count {
            var end = start
            while end + 1 < values.count && values[end + 1] == values[end] + 1 { end += 1 }
            items += end - start >= 2 ? ["\(values[start])..\(values[end])"] : values[start...end].map(String.init)
            start = end + 1
        }
        return items.joined(separator: ",")
    }

    /// How many values are <= x (binary search: the values are sorted).
    func count(atMost x: Int) -> Int {
        var low = 0, high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] <= x { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Which data ranks a grid prescribes.
public enum DataRankChoice: Sendable, Equatable {
    /// r = min(N, d), whatever the draw gives: one case per (d, N), its `dataRank` nil.
    case full
    /// Each r in the set with 1 <= r <= min(N, d); the others are skipped for that (d, N).
    case values(IntegerSet)
}

/// One network of a grid: what to draw. `dataRank` nil means full rank.
public struct GridCase: Sendable, Hashable, CustomStringConvertible {
    /// Its widths, and whether every layer has a bias.
    public let architecture: Architecture
    public let samples: Int
    public let dataRank: Int?
    public let activation: Activation
    public let loss: Loss
    /// The first input is 1 in every sample, so that rank [X, 1] = rank X (the with-bias conjecture's other case:
    /// `bias` checks it; grids do not draw it).
    public let constantFeature: Bool

    public init(architecture: Architecture, samples: Int, dataRank: Int?, activation: Activation, loss: Loss,
                constantFeature: Bool = false) {
        precondition(samples >= 1, "GridCase: at least one sample")
        precondition(dataRank.map { (1...min(samples, architecture.inputWidth)).contains($0) } ?? true,
                     "GridCase: a prescribed data rank lies in 1...min(N, d)")
        self.architecture = architecture
        self.samples = samples
        self.dataRank = dataRank
        self.activation = activation
        self.loss = loss
        self.constantFeature = constantFeature
    }

    // Architecture is Equatable only; its widths and bias are all it holds (p follows from them).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(architecture.widths)
        hasher.combine(architecture.bias)
        hasher.combine(samples)
        hasher.combine(dataRank)
        hasher.combine(activation)
        hasher.combine(loss)
        hasher.combine(constantFeature)
    }

    /// "6,2,5 N=9", then " r=2" with a prescribed rank, " bias", the activation unless linear, the loss unless mse.
    public var description: String {
        var text = "\(architecture) N=\(samples)"
        if let dataRank { text += " r=\(dataRank)" }
        if architecture.bias { text += " bias" }
        if activation != .linear { text += " \(activation)" }
        if loss != .mse { text += " \(loss)" }
        if constantFeature { text += " x_1=1" }
        return text
    }

    /// The options that select exactly this network on the conjecture command line: --arch and --samples, then
    /// --data-rank, --bias on, --activation (canonical text, e.g. leaky-relu:1/8) and --loss where not the defaults.
    public var commandLineOptions: [String] {
        var options = ["--arch", architecture.description, "--samples", String(samples)]
        if let dataRank { options += ["--data-rank", String(dataRank)] }
        if architecture.bias { options += ["--bias", "on"] }
        if activation != .linear { options += ["--activation", activation.rawValue] }
        if loss != .mse { options += ["--loss-function", loss.rawValue] }
        return options
    }

    /// Every network one step smaller, biggest reductions first, so that shrinking a counterexample greedily drops
    /// whole layers before it trims widths: remove a hidden layer (first to last); a hidden width - 1; d - 1; K - 1
    /// (down to 2 for cross-entropy, whose single softmax output is constant); N - 1; a prescribed data rank - 1; then
    /// bias off, activation linear, loss mse. A step that lowers d or N below a prescribed rank clamps the rank to
    /// min(N, d), the largest the data can have. No duplicates (two equal neighbouring hidden layers removed give
    /// one network), never the case itself.
    public func shrinkSteps() -> [GridCase] {
        let widths = architecture.widths
        var steps: [GridCase] = [], seen: Set<GridCase> = [self]
        func insert(_ step: GridCase) { if seen.insert(step).inserted { steps.append(step) } }
        func add(widths newWidths: [Int]? = nil, samples newSamples: Int? = nil, bias: Bool? = nil,
                 activation newActivation: Activation? = nil, loss newLoss: Loss? = nil) {
            let w = newWidths ?? widths, n = newSamples ?? samples
            // Every step keeps at least two widths, all positive: valid by construction.
            let shape = try! Architecture(widths: w, bias: bias ?? architecture.bias)
            insert(GridCase(architecture: shape, samples: n, dataRank: dataRank.map { min($0, n, w[0]) },
                            activation: newActivation ?? activation, loss: newLoss ?? loss, constantFeature: constantFeature))
        }
        let hiddenLayers = 1..<(widths.count - 1)
        for i in hiddenLayers { add(widths: widths.enumerated().filter { $0.offset != i }.map(\.element)) }
        for i in hiddenLayers where widths[i] >= 2 {
            var smaller = widths
            smaller[i] -= 1
            add(widths: smaller)
        }
        if widths[0] >= 2 { add(widths: [widths[0] - 1] + widths.dropFirst()) }
        if architecture.outputWidth >= (loss == .crossEntropy ? 3 : 2) {
            add(widths: Array(widths.dropLast()) + [widths.last! - 1])
        }
        if samples >= 2 { add(samples: samples - 1) }
        if let r = dataRank, r >= 2 {
            insert(GridCase(architecture: architecture, samples: samples, dataRank: r - 1, activation: activation, loss: loss,
                            constantFeature: constantFeature))
        }
        if architecture.bias { add(bias: false) }
        if activation != .linear { add(activation: .linear) }
        if loss != .mse { add(loss: .mse) }
        return steps
    }
}

public struct ConjectureGrid: Sendable, Equatable {
    public var inputs: IntegerSet
    public var depths: IntegerSet
    /// The widths each hidden layer takes, independently of the others.
    public var hidden: IntegerSet
    public var outputs: IntegerSet
    public var samples: IntegerSet
    public var dataRanks: DataRankChoice
    public var biases: [Bool]
    public var activations: [Activation]
    public var losses: [Loss]
    /// Networks with more parameters p (biases included) are left out.
    public var maximumParameters: Int

    /// Depths up to what `Architecture` holds (`maximumWidthCount` widths).
    public static let maximumDepth = Architecture.maximumWidthCount - 1
    /// A budget of 2^31 parameters is far past any Hessian memory holds (2^62 entries), and keeps the enumeration's
    /// sums of products of two widths, each at most p, inside 64 bits.
    public static let maximumParameterBudget = 1 << 31

    /// The seeded stream of `randomCases` (the generator's weights, data, targets and biases use 1, 2, 3 and 5).
    static let randomStream: UInt64 = 6

    public init(inputs: IntegerSet, depths: IntegerSet, hidden: IntegerSet, outputs: IntegerSet, samples: IntegerSet,
                dataRanks: DataRankChoice = .full, biases: [Bool] = [false], activations: [Activation] = [.linear],
                losses: [Loss] = [.mse], maximumParameters: Int = 400) throws(InputError) {
        (self.inputs, self.depths, self.hidden, self.outputs, self.samples) = (inputs, depths, hidden, outputs, samples)
        (self.dataRanks, self.biases, self.activations, self.losses) = (dataRanks, biases, activations, losses)
        self.maximumParameters = maximumParameters
        try validate()
    }

    /// The checks `init` makes; call it again after changing a property (enumerating an invalid grid traps).
    public func validate() throws(InputError) {
        var positive = [("--inputs", "widths", inputs), ("--depth", "depths", depths), ("--hidden", "widths", hidden),
                        ("--outputs", "widths", outputs), ("--samples", "sample counts", samples)]
        if case .values(let ranks) = dataRanks { positive.append(("--data-rank", "data ranks", ranks)) }
        for (option, noun, set) in positive where set.values[0] < 1 {
            throw InputError("\(option): \(noun) must be >= 1; got \(set.values[0])")
        }
        guard depths.values.last! <= Self.maximumDepth else {
            throw InputError("--depth: depths must be at most \(Self.maximumDepth); got \(depths.values.last!)")
        }
        guard (1...Self.maximumParameterBudget).contains(maximumParameters) else {
            throw InputError("--max-parameters: must lie in 1...\(Self.maximumParameterBudget); got \(maximumParameters)")
        }
        let lists = [("--bias", biases.isEmpty), ("--activation", activations.isEmpty), ("--loss-function", losses.isEmpty)]
        for (option, empty) in lists where empty {
            throw InputError("\(option): give at least one value")
        }
    }

    /// The built-in grid: d 1..6, L 1..3, hidden widths 1..4, K 1..4, N 1..8, full rank, no bias, linear, mse, p <= 400.
    public static let standard = try! ConjectureGrid(  // valid by construction
        inputs: IntegerSet(Array(1...6)), depths: IntegerSet(Array(1...3)), hidden: IntegerSet(Array(1...4)),
        outputs: IntegerSet(Array(1...4)), samples: IntegerSet(Array(1...8)))

    /// Every case in this order (the first varies slowest): loss, activation, bias (each in the order given), depth, d,
    /// hidden widths (every tuple of L - 1 values, lexicographic), K, N, data rank (ascending; full rank is one case).
    /// Left out: p > maximumParameters, and cross-entropy with K < 2 (the softmax of one output is constant). The
    /// architectures are built on the call, once per bias; the cases one at a time as the sequence is walked (about
    /// 0.1 us each in a release build), so a shard of a large grid never holds the others.
    public func cases() -> some Sequence<GridCase> {
        let shapes = Dictionary(biases.map { ($0, architectures(bias: $0)) }, uniquingKeysWith: { first, _ in first })
        return losses.lazy.flatMap { loss in activations.lazy.flatMap { activation in biases.lazy.flatMap { bias in
            shapes[bias]!.lazy.filter { loss != .crossEntropy || $0.outputWidth >= 2 }.flatMap { shape in
                samples.values.lazy.flatMap { n in
                    ranks(inputs: shape.inputWidth, samples: n).lazy.map {
                        GridCase(architecture: shape, samples: n, dataRank: $0, activation: activation, loss: loss)
                    }
                }
            }
        } } }
    }

    /// The number of cases `cases()` yields, from the shapes alone: per shape, the (N, r) pairs of its d times the
    /// losses and activations that take its K.
    /// The cases of one shape (a command line's `--arch`) instead of the grid's d, depths, hidden widths and K: every
    /// loss, activation, bias, N and data rank of the grid, with the same exclusions (p > maximumParameters, cross-
    /// entropy with K < 2) and in the same order. `widths` must be valid (`Architecture(widths:)` accepts them).
    public func cases(widths: [Int]) -> [GridCase] {
        var result: [GridCase] = []
        for loss in losses where loss != .crossEntropy || widths[widths.count - 1] >= 2 {
            for activation in activations {
                for bias in biases {
                    guard let p = Architecture.checkedParameterCount(widths, bias: bias), p <= maximumParameters else { continue }
                    let architecture = try! Architecture(widths: widths, bias: bias)
                    for n in samples.values {
                        for rank in ranks(inputs: widths[0], samples: n) {
                            result.append(GridCase(architecture: architecture, samples: n, dataRank: rank,
                                                   activation: activation, loss: loss))
                        }
                    }
                }
            }
        }
        return result
    }

    public var exhaustiveCount: Int {
        // Pairs with d: for N < d, the ranks <= N; for N >= d, the ranks <= d. Prefix sums over N give both at once.
        let pairsBelow: [Int]
        switch dataRanks {
        case .full: pairsBelow = Array(0...samples.values.count)
        case .values(let ranks):
            pairsBelow = samples.values.reduce(into: [0]) { $0.append($0.last! + ranks.count(atMost: $1)) }
        }
        func pairs(inputs d: Int) -> Int {
            let below = samples.count(atMost: d - 1)
            let atD: Int = if case .values(let ranks) = dataRanks { ranks.count(atMost: d) } else { 1 }
            return pairsBelow[below] + (samples.values.count - below) * atD
        }
        let perLoss = activations.count, nonCrossEntropy = losses.filter { $0 != .crossEntropy }.count
        var count = 0
        for bias in biases {
            forEachShape(bias: bias) { widths in
                count += pairs(inputs: widths[0]) * perLoss * (widths.last! >= 2 ? losses.count : nonCrossEntropy)
            }
        }
        return count
    }

    /// n cases drawn with the seed: loss, activation, bias, depth, d, each hidden width, K, N and rank each uniformly
    /// from its set, independently; a combination the grid leaves out (p, cross-entropy with K < 2, r > min(N, d)) is
    /// redrawn whole. So every dimension's values are equally likely, not every case: a grid cut by its budget
    /// favours the small values. Gives up after 1000 n draws, returning fewer cases. Duplicates are allowed.
    public func randomCases(_ n: Int, seed: UInt64) -> [GridCase] {
        precondition(n >= 0 && (try? validate()) != nil, "ConjectureGrid.randomCases: a valid grid and n >= 0")
        var stream = SplitMix64(seed: seed, stream: Self.randomStream)
        func pick<T>(_ items: [T]) -> T { items[stream.uniform(in: 0...(items.count - 1))] }
        var result: [GridCase] = [], draws = 0
        let maximumDraws = n > Int.max / 1000 ? Int.max : 1000 * n
        while result.count < n && draws < maximumDraws {
            draws += 1
            let (loss, activation, bias, depth) = (pick(losses), pick(activations), pick(biases), pick(depths.values))
            let widths = [pick(inputs.values)] + (1..<depth).map { _ in pick(hidden.values) } + [pick(outputs.values)]
            let sampleCount = pick(samples.values)
            let rank: Int? = if case .values(let ranks) = dataRanks { pick(ranks.values) } else { nil }
            guard loss != .crossEntropy || widths.last! >= 2, (rank ?? 1) <= min(sampleCount, widths[0]),
                  let p = Architecture.checkedParameterCount(widths, bias: bias), p <= maximumParameters else { continue }
            // Positive widths, at most 1000 of them, and p^2 fits (checked above): valid.
            result.append(GridCase(architecture: try! Architecture(widths: widths, bias: bias), samples: sampleCount,
                                   dataRank: rank, activation: activation, loss: loss))
        }
        return result
    }

    /// Shard i of n (1-based): the items whose index % n == i - 1, the sweep's convention, so that n jobs cover every
    /// item once. Takes any sequence, `cases()` included, without building it.
    public static func shard<Items: Sequence>(_ items: Items, _ i: Int, of n: Int) -> [(index: Int, item: Items.Element)] {
        precondition(n >= 1 && (1...n).contains(i), "ConjectureGrid.shard: 1 <= i <= n")
        return items.enumerated().compactMap { $0.offset % n == i - 1 ? (index: $0.offset, item: $0.element) : nil }
    }

    /// The data ranks of the cases with d inputs and n samples: nil (full rank), or the prescribed ranks <= min(n, d).
    private func ranks(inputs d: Int, samples n: Int) -> [Int?] {
        guard case .values(let ranks) = dataRanks else { return [nil] }
        return ranks.values[..<ranks.count(atMost: min(n, d))].map { Optional($0) }
    }

    private func architectures(bias: Bool) -> [Architecture] {
        var shapes: [Architecture] = []
        // The walk yields positive widths, fewer than 1000, with p <= 2^31: valid.
        forEachShape(bias: bias) { shapes.append(try! Architecture(widths: $0, bias: bias)) }
        return shapes
    }

    /// Calls `body` with the widths of every network with p <= maximumParameters, in the order depth, d, hidden
    /// widths (lexicographic), K. A width is taken only if the fewest parameters the layers after it can add (the
    /// smallest hidden width for each hidden layer left, then the smallest K) still fit; as p grows with every width
    /// and the sets are sorted, the first width that does not fit ends its loop.
    private func forEachShape(bias: Bool, _ body: ([Int]) -> Void) {
        precondition((try? validate()) != nil, "ConjectureGrid: enumerating an invalid grid")
        let b = bias ? 1 : 0, budget = maximumParameters
        // No width above the budget fits (p >= every width), so every product below fits 64 bits.
        func fitting(_ set: IntegerSet) -> ArraySlice<Int> { set.values[..<set.count(atMost: budget)] }
        let inputs = fitting(inputs), hidden = fitting(hidden), outputs = fitting(outputs)
        guard let smallestK = outputs.first else { return }
        let smallestHidden = hidden.first ?? budget + 1
        // least[k]: the fewest parameters after a layer of the smallest hidden width with k hidden layers left
        // (capped at budget + 1, which is already too many).
        var least = [min(budget + 1, smallestK * (smallestHidden + b))]
        for k in 1..<max(depths.values.last!, 1) {
            least.append(min(budget + 1, smallestHidden * (smallestHidden + b) + least[k - 1]))
        }
        func fewest(after width: Int, hiddenLeft k: Int) -> Int {
            k == 0 ? smallestK * (width + b) : smallestHidden * (width + b) + least[k - 1]
        }
        var widths: [Int] = []
        func extend(_ partial: Int, hiddenLeft k: Int) {
            let width = widths.last!
            for next in k == 0 ? outputs : hidden {
                let p = partial + next * (width + b)
                guard p <= budget, k == 0 || p + fewest(after: next, hiddenLeft: k - 1) <= budget else { break }
                widths.append(next)
                if k == 0 { body(widths) } else { extend(p, hiddenLeft: k - 1) }
                widths.removeLast()
            }
        }
        for depth in depths.values {
            for d in inputs {
                guard fewest(after: d, hiddenLeft: depth - 1) <= budget else { break }
                widths = [d]
                extend(0, hiddenLeft: depth - 1)
            }
        }
    }
}
