// The conjecture grid (ConjectureGrid.swift): integer sets as the options write them, counts known by hand, seeded
// draws inside the grid, shards, and shrink steps written out by hand.
import HessianCore
import Testing

@Suite struct ConjectureGridTests {
    static func set(_ values: Int...) -> IntegerSet { IntegerSet(values) }

    static func gridCase(_ widths: [Int], samples: Int, rank: Int? = nil, bias: Bool = false,
                         activation: Activation = .linear, loss: Loss = .mse) -> GridCase {
        GridCase(architecture: try! Architecture(widths: widths, bias: bias), samples: samples, dataRank: rank,
                 activation: activation, loss: loss)
    }

    /// The small grid counted by hand below: d in {2, 3}, L in {1, 2}, hidden widths {1, 2}, K = 1, N = 2, full rank.
    static func smallGrid(outputs: IntegerSet = set(1), biases: [Bool] = [false], losses: [Loss] = [.mse],
                          maximumParameters: Int = 400) throws -> ConjectureGrid {
        try ConjectureGrid(inputs: set(2, 3), depths: set(1, 2), hidden: set(1, 2), outputs: outputs, samples: set(2),
                           biases: biases, losses: losses, maximumParameters: maximumParameters)
    }

    @Test(arguments: [("2..8", Array(2...8), "2..8"), ("1,2,3,5", [1, 2, 3, 5], "1..3,5"), ("1..3,8", [1, 2, 3, 8], "1..3,8"),
                      ("4", [4], "4"), (" 5 , 1 .. 2 ,0", [0, 1, 2, 5], "0..2,5"), ("3,1,3,2..2", [1, 2, 3], "1..3"),
                      ("7,8", [7, 8], "7,8")])
    func parsesAndRoundTrips(_ text: String, _ values: [Int], _ description: String) throws {
        let parsed = try IntegerSet(parsing: text, name: "--inputs")
        #expect(parsed.values == values)
        #expect(parsed.description == description)
        #expect(try IntegerSet(parsing: parsed.description, name: "--inputs") == parsed)
    }

    @Test(arguments: [
        ("2..", "--inputs: '2..' is not a range; write a..b, a list a,b,c or both, e.g. 2..8 or 1,2,3,5"),
        ("1,,2", "--inputs: '' is not a range; write a..b, a list a,b,c or both, e.g. 2..8 or 1,2,3,5"),
        ("1...3", "--inputs: '1...3' is not a range; write a..b, a list a,b,c or both, e.g. 2..8 or 1,2,3,5"),
        ("1..2..3", "--inputs: '1..2..3' is not a range; write a..b, a list a,b,c or both, e.g. 2..8 or 1,2,3,5"),
        ("8..2", "--inputs: 8..2 is empty (the first end is larger)"),
        ("-1", "--inputs: '-1' must be a nonnegative integer"),
        ("3,-2..4", "--inputs: '-2' must be a nonnegative integer"),
        ("", "--inputs: no values; write a..b, a list a,b,c or both, e.g. 2..8 or 1,2,3,5"),
        ("  ", "--inputs: no values; write a..b, a list a,b,c or both, e.g. 2..8 or 1,2,3,5"),
        ("0..100000", "--inputs: 0..100000 has more than 100000 values"),
        ("1..50000,60000..110000", "--inputs: 1..50000,60000..110000 has more than 100000 values"),
    ])
    func badSetsAreRefused(_ text: String, _ message: String) {
        #expect(throws: InputError(message)) { try IntegerSet(parsing: text, name: "--inputs") }
    }

    @Test func theSpecificationsExamples() throws {
        #expect(try IntegerSet(parsing: "0..99999", name: "--hidden").values == Array(0...99_999), "exactly the maximum")
        #expect(throws: InputError("--hidden: 1..10000000 has more than 100000 values")) {
            try IntegerSet(parsing: "1..10000000", name: "--hidden")
        }
        #expect(throws: InputError("--inputs: widths must be >= 1; got 0")) {
            try ConjectureGrid(inputs: Self.set(0, 2), depths: Self.set(1), hidden: Self.set(1), outputs: Self.set(1), samples: Self.set(1))
        }
        #expect(throws: InputError("--data-rank: data ranks must be >= 1; got 0")) {
            try ConjectureGrid(inputs: Self.set(2), depths: Self.set(1), hidden: Self.set(1), outputs: Self.set(1),
                               samples: Self.set(1), dataRanks: .values(Self.set(0, 1)))
        }
        #expect(throws: InputError("--depth: depths must be at most 999; got 1000")) {
            try ConjectureGrid(inputs: Self.set(2), depths: Self.set(1000), hidden: Self.set(1), outputs: Self.set(1), samples: Self.set(1))
        }
        #expect(throws: InputError("--max-parameters: must lie in 1...2147483648; got 0")) { try Self.smallGrid(maximumParameters: 0) }
        #expect(throws: InputError("--loss-function: give at least one value")) { try Self.smallGrid(losses: []) }
    }

    /// The small grid by hand. Depth 1: [2,1], [3,1]; depth 2: [2,1,1], [2,2,1], [3,1,1], [3,2,1]. One N, full rank:
    /// 6 cases, in the order depth, d, hidden width.
    @Test func exhaustiveCountByHand() throws {
        let grid = try Self.smallGrid()
        #expect(grid.exhaustiveCount == 6)
        #expect(grid.cases().map(\.architecture.widths) == [[2, 1], [3, 1], [2, 1, 1], [2, 2, 1], [3, 1, 1], [3, 2, 1]])
        #expect(grid.cases().allSatisfy { $0.samples == 2 && $0.dataRank == nil })
        // The standard grid: 6 d x 4 K at depth 1, x 4 hidden at depth 2, x 16 at depth 3: 504 shapes, all with
        // p <= 6 * 4 + 4 * 4 + 4 * 4 = 56 <= 400, each with 8 values of N.
        #expect(ConjectureGrid.standard.exhaustiveCount == 504 * 8)
        #expect(Array(ConjectureGrid.standard.cases()).count == 504 * 8)
    }

    /// p of the six shapes without bias: 2, 3, 3, 6, 4, 8; budget 4 keeps [2,1], [3,1], [2,1,1], [3,1,1]. With bias
    /// (each layer K (m + 1)): 3, 4, 5, 9, 6, 11; budget 6 keeps the same four.
    @Test func parameterBudget() throws {
        for grid in [try Self.smallGrid(maximumParameters: 4), try Self.smallGrid(biases: [true], maximumParameters: 6)] {
            #expect(grid.exhaustiveCount == 4)
            #expect(grid.cases().map(\.architecture.widths) == [[2, 1], [3, 1], [2, 1, 1], [3, 1, 1]])
        }
        // Both biases, budget 4: the four without bias, and with bias only [2,1] (p = 3) and [3,1] (p = 4).
        let both = try Self.smallGrid(biases: [false, true], maximumParameters: 4)
        #expect(both.exhaustiveCount == 6 && Array(both.cases()).count == 6)
        #expect(both.cases().filter(\.architecture.bias).map(\.architecture.parameterCount) == [3, 4])
    }

    /// K in {1, 2} doubles the 6 shapes to 12; mse takes all 12, cross-entropy only the 6 with K = 2: 18.
    @Test func crossEntropyNeedsTwoOutputs() throws {
        let grid = try Self.smallGrid(outputs: Self.set(1, 2), losses: [.mse, .crossEntropy])
        #expect(grid.exhaustiveCount == 18)
        let cases = Array(grid.cases())
        #expect(cases.count == 18 && Set(cases).count == 18)
        #expect(cases.filter { $0.loss == .crossEntropy }.allSatisfy { $0.architecture.outputWidth == 2 })
        #expect(cases.prefix(12).allSatisfy { $0.loss == .mse }, "loss varies slowest")
    }

    @Test func prescribedDataRanks() throws {
        let grid = try ConjectureGrid(inputs: Self.set(2), depths: Self.set(1), hidden: Self.set(1), outputs: Self.set(1),
                                      samples: Self.set(4), dataRanks: .values(IntegerSet(Array(1...3))))
        #expect(grid.cases().map(\.dataRank) == [1, 2])
        #expect(grid.exhaustiveCount == 2)
        // Ranks {2, 3, 4}, N in {1, 2, 4, 6}: per d the ranks <= min(N, d), summed over N.
        // d = 1: 0; d = 2: 0 + 1 + 1 + 1 = 3; d = 3: 0 + 1 + 2 + 2 = 5; d = 5: 0 + 1 + 3 + 3 = 7; in all 15.
        let wide = try ConjectureGrid(inputs: Self.set(1, 2, 3, 5), depths: Self.set(1), hidden: Self.set(1),
                                      outputs: Self.set(1), samples: Self.set(1, 2, 4, 6), dataRanks: .values(Self.set(2, 3, 4)))
        #expect(wide.exhaustiveCount == 15)
        #expect(Array(wide.cases()).count == 15)
        #expect(wide.cases().filter { $0.architecture.inputWidth == 5 && $0.samples == 6 }.map(\.dataRank) == [2, 3, 4])
    }

    /// Counting never builds the cases, and the walk stops at the budget, so huge sets cost nothing beyond it.
    @Test func countingIsCheapForLargeSets() throws {
        let grid = try ConjectureGrid(inputs: IntegerSet(Array(1...100_000)), depths: IntegerSet(Array(1...999)),
                                      hidden: IntegerSet(Array(1...100_000)), outputs: IntegerSet(Array(1...100_000)),
                                      samples: Self.set(1), maximumParameters: 3)
        // p <= 3: [1,1], [1,2], [1,3], [2,1], [3,1] (p = d K); [1,1,1], [1,1,2], [2,1,1] (p = d + K, hidden width 1);
        // [1,1,1,1] (p = 3); every other shape has p >= 4.
        #expect(grid.exhaustiveCount == 9)
        #expect(grid.cases().map(\.architecture.widths) == [[1, 1], [1, 2], [1, 3], [2, 1], [3, 1], [1, 1, 1], [1, 1, 2],
                                                            [2, 1, 1], [1, 1, 1, 1]])
    }

    @Test func randomCasesAreSeededAndInsideTheGrid() throws {
        let grid = try ConjectureGrid(inputs: IntegerSet(Array(1...6)), depths: Self.set(1, 2, 3), hidden: Self.set(1, 3),
                                      outputs: IntegerSet(Array(1...4)), samples: IntegerSet(Array(1...8)),
                                      dataRanks: .values(Self.set(1, 2, 5)), biases: [false, true],
                                      activations: [.linear, .relu], losses: [.mse, .crossEntropy], maximumParameters: 40)
        let all = Set(grid.cases())
        for seed: UInt64 in [0, 1, 42] {
            let drawn = grid.randomCases(200, seed: seed)
            #expect(drawn.count == 200, "seed \(seed)")
            #expect(drawn == grid.randomCases(200, seed: seed), "seed \(seed)")
            #expect(drawn.allSatisfy { all.contains($0) }, "seed \(seed)")
        }
        #expect(grid.randomCases(20, seed: 1) != grid.randomCases(20, seed: 2))
        // A grid with no case: 1000 n draws, then nothing.
        let empty = try ConjectureGrid(inputs: Self.set(5), depths: Self.set(1), hidden: Self.set(1), outputs: Self.set(1),
                                       samples: Self.set(1), maximumParameters: 4)
        #expect(empty.exhaustiveCount == 0 && empty.randomCases(3, seed: 7).isEmpty)
    }

    @Test func shardsPartitionTheIndices() {
        let cases = Array(ConjectureGrid.standard.cases())
        for n in 1...6 {
            let shards = (1...n).map { ConjectureGrid.shard(cases, $0, of: n) }
            #expect(shards.flatMap { $0.map(\.index) }.sorted() == Array(cases.indices), "\(n) shards")
            for (i, shard) in shards.enumerated() {
                #expect(shard.allSatisfy { $0.index % n == i && cases[$0.index] == $0.item })
            }
        }
        #expect(ConjectureGrid.shard(ConjectureGrid.standard.cases(), 2, of: 3).map(\.index) == Array(stride(from: 1, to: cases.count, by: 3)))
    }

    /// 6,2,5 N=9 r=4 by hand: remove the hidden layer; its width 2 -> 1; d 6 -> 5 (r = 4 <= min(9, 5) stays); K 5 -> 4;
    /// N 9 -> 8; r 4 -> 3. Nothing to switch off.
    @Test func shrinkStepsByHand() {
        let c = Self.gridCase([6, 2, 5], samples: 9, rank: 4)
        #expect(c.description == "6,2,5 N=9 r=4")
        #expect(c.shrinkSteps() == [
            Self.gridCase([6, 5], samples: 9, rank: 4), Self.gridCase([6, 1, 5], samples: 9, rank: 4),
            Self.gridCase([5, 2, 5], samples: 9, rank: 4), Self.gridCase([6, 2, 4], samples: 9, rank: 4),
            Self.gridCase([6, 2, 5], samples: 8, rank: 4), Self.gridCase([6, 2, 5], samples: 9, rank: 3),
        ])
        #expect(Self.gridCase([1, 1], samples: 1).shrinkSteps().isEmpty)
    }

    /// Depth 1 with everything on, K = 2 with cross-entropy: no layer to remove, K stays; d, N, then the switches.
    @Test func shrinkStepsOfADepthOneCase() throws {
        let leaky = try Activation(parsing: "leaky-relu:1/8")
        let c = Self.gridCase([3, 2], samples: 2, bias: true, activation: leaky, loss: .crossEntropy)
        #expect(c.description == "3,2 N=2 bias leaky-relu:1/8 cross-entropy")
        #expect(c.shrinkSteps() == [
            Self.gridCase([2, 2], samples: 2, bias: true, activation: leaky, loss: .crossEntropy),
            Self.gridCase([3, 2], samples: 1, bias: true, activation: leaky, loss: .crossEntropy),
            Self.gridCase([3, 2], samples: 2, activation: leaky, loss: .crossEntropy),
            Self.gridCase([3, 2], samples: 2, bias: true, loss: .crossEntropy),
            Self.gridCase([3, 2], samples: 2, bias: true, activation: leaky),
        ])
    }

    /// A prescribed rank equal to min(N, d) follows d and N down; two equal hidden layers removed give one step.
    @Test func shrinkStepsClampTheRankAndHaveNoDuplicates() {
        let c = Self.gridCase([4, 3, 3, 2], samples: 4, rank: 4)
        let steps = c.shrinkSteps()
        #expect(steps == [
            Self.gridCase([4, 3, 2], samples: 4, rank: 4),
            Self.gridCase([4, 2, 3, 2], samples: 4, rank: 4), Self.gridCase([4, 3, 2, 2], samples: 4, rank: 4),
            Self.gridCase([3, 3, 3, 2], samples: 4, rank: 3), Self.gridCase([4, 3, 3, 1], samples: 4, rank: 4),
            Self.gridCase([4, 3, 3, 2], samples: 3, rank: 3), Self.gridCase([4, 3, 3, 2], samples: 4, rank: 3),
        ])
        #expect(Set(steps).count == steps.count && !steps.contains(c))
    }

    @Test func commandLineOptions() throws {
        let c = Self.gridCase([6, 2, 5], samples: 9, rank: 2, bias: true, activation: try Activation(parsing: "leaky-relu:1/8"),
                              loss: .crossEntropy)
        #expect(c.commandLineOptions == ["--arch", "6,2,5", "--samples", "9", "--data-rank", "2", "--bias", "on",
                                         "--activation", "leaky-relu:1/8", "--loss-function", "cross-entropy"])
        #expect(c.description == "6,2,5 N=9 r=2 bias leaky-relu:1/8 cross-entropy")
        #expect(Self.gridCase([6, 2, 5], samples: 9).commandLineOptions == ["--arch", "6,2,5", "--samples", "9"])
    }

    /// One shape (`--arch 6,2,5`) with the grid's other dimensions: N in 5...9 with data ranks 1...6 (each <= min(N, 6):
    /// 5 + 6 + 6 + 6 + 6 = 29 per bias), with and without biases: 58 cases; cross-entropy leaves out K = 1 shapes, and
    /// the budget applies to the shape's own p (22, or 29 with biases).
    @Test func casesOfOneShape() throws {
        let grid = try ConjectureGrid(inputs: Self.set(6), depths: Self.set(2), hidden: Self.set(1), outputs: Self.set(5), samples: IntegerSet(Array(5...9)),
                                      dataRanks: .values(IntegerSet(Array(1...6))), biases: [false, true])
        let cases = grid.cases(widths: [6, 2, 5])
        #expect(cases.count == 58)
        #expect(cases.allSatisfy { $0.architecture.widths == [6, 2, 5] })
        #expect(cases.filter(\.architecture.bias).count == 29)
        var small = grid
        small.maximumParameters = 22
        #expect(small.cases(widths: [6, 2, 5]).count == 29)
        var entropy = grid
        entropy.losses = [.crossEntropy]
        #expect(entropy.cases(widths: [6, 2, 1]).isEmpty && entropy.cases(widths: [6, 2, 5]).count == 58)
    }
}
