import ExactAlgebra
import HessianCore
import Testing

/// A network whose Hessians the reduction actually shrinks (output width below the hidden widths), generic or built
/// to be special: the containment col(H) in col(Q) must hold for every input, not only generic ones.
struct ReducedCase: CustomStringConvertible, Sendable {
    let description: String
    let build: @Sendable () throws -> Problem

    static func drawn(_ widths: [Int], samples: Int, dataRank: Int? = nil, seed: UInt64) -> ReducedCase {
        ReducedCase(description: "widths \(widths), N = \(samples)" + (dataRank.map { ", r = \($0)" } ?? "")) {
            try Generator.draw(Architecture(widths: widths), samples: samples, dataRank: dataRank, seed: seed)
        }
    }

    /// `base` with W_{layer+1} replaced.
    static func replacing(_ description: String, layer: Int, in base: ReducedCase, by weight: @escaping @Sendable (Int, Int) -> Int) -> ReducedCase {
        ReducedCase(description: description) {
            let problem = try base.build()
            var weights = problem.weights
            let (rows, columns) = problem.architecture.weightShape(layer)
            weights[layer] = IntegerMatrix((0..<rows).map { i in (0..<columns).map { j in weight(i, j) } })
            return try Problem(architecture: problem.architecture, weights: weights, x: problem.x, y: problem.y)
        }
    }

    static let generic = drawn([6, 5, 5, 2], samples: 8, seed: 21)

    static let table: [ReducedCase] = [
        generic,
        drawn([7, 5, 5, 2], samples: 3, seed: 22),                  // N < d: H_O's first layer uses col(X^T)
        drawn([6, 4, 4, 4, 2], samples: 5, seed: 23),               // L = 4
        drawn([7, 4, 4, 1], samples: 6, dataRank: 1, seed: 24),     // rank-one data, K = 1
        drawn([6, 2], samples: 3, seed: 25),                        // L = 1: H_F = 0
        drawn([6, 3, 3, 4], samples: 5, seed: 26),                  // K above the widths: nothing to reduce
        // Targets fitted exactly: Omega = 0, the residual pieces are zero and H_F = 0.
        ReducedCase(description: "widths [6, 5, 5, 2], Y = f(X) exactly") {
            let problem = try generic.build()
            let fitted = problem.x * PartialProducts(problem).endToEnd.transposed
            return try Problem(architecture: problem.architecture, weights: problem.weights, x: problem.x, y: fitted)
        },
        replacing("widths [6, 5, 5, 2], W_2 of rank one", layer: 1, in: generic) { i, j in (i - 2) * (j + 1) },
        replacing("widths [6, 5, 5, 2], W_2 = 0", layer: 1, in: generic) { _, _ in 0 },
        replacing("widths [6, 5, 5, 2], W_3 of rank one", layer: 2, in: generic) { i, j in (i + 1) * (j - 3) },
        replacing("widths [6, 5, 5, 2], W_1 = 0", layer: 0, in: generic) { _, _ in 0 },
        replacing("widths [6, 5, 5, 2], W_3 = 0", layer: 2, in: generic) { _, _ in 0 },
        drawn([5, 4, 2], samples: 6, seed: 29),                     // L = 2
        drawn([7, 5, 1, 5, 3], samples: 6, seed: 30),               // a hidden width (1) below K among wider layers
        drawn([6, 5, 5, 2], samples: 1, seed: 31),                  // N = 1
        ReducedCase(description: "widths [6, 5, 5, 2], X = 0") {
            let problem = try generic.build()
            return try Problem(architecture: problem.architecture, weights: problem.weights,
                               x: IntegerMatrix(rows: 8, columns: 6), y: problem.y)
        },
    ]
}

@Suite struct ReducedHessianTests {
    /// [A | B] over Z.
    static func sideBySide(_ a: IntegerMatrix, _ b: IntegerMatrix) -> IntegerMatrix {
        IntegerMatrix(decimalRows: zip(a.decimalRows, b.decimalRows).map { $0 + $1 })!
    }

    /// The reduced matrix, built from small products, is Q^T H Q with Q and H built entry by entry; the reduced
    /// Jacobian is J Q.
    @Test(arguments: ReducedCase.table)
    func reducedMatrixIsQTransposedHQ(_ c: ReducedCase) throws {
        let structured = StructuredHessian(try c.build())
        let reduced = ReducedHessian(structured)
        for part in HessianPart.allCases {
            let q = reduced.spanningMatrix(for: part).exact
            #expect(q.rowCount == structured.parameterCount && q.columnCount == reduced.dimension(of: part))
            #expect(reduced.source(for: part).exact == q.transposed * structured.exactMatrix(part) * q, "\(c): \(part.symbol)")
        }
        #expect(reduced.reducedJacobian.exact == structured.jacobian.exact * reduced.spanningMatrix(for: .outer).exact, "\(c)")
    }

    /// The premise of the lemma, on each case: every column of H lies in col(Q), i.e. rank [Q | H] = rank Q.
    @Test(arguments: ReducedCase.table)
    func columnSpacesAreContained(_ c: ReducedCase) throws {
        let structured = StructuredHessian(try c.build())
        let reduced = ReducedHessian(structured)
        for part in HessianPart.allCases {
            let q = reduced.spanningMatrix(for: part).exact
            let both = Self.sideBySide(q, structured.exactMatrix(part))
            #expect(try CertifiedRank.rank(of: both).rank == CertifiedRank.rank(of: q).rank, "\(c): \(part.symbol)")
        }
    }

    /// The conclusion: certified ranks of the reduced matrices (and of J Q) equal those of the full Hessians.
    @Test(arguments: ReducedCase.table)
    func reducedRanksEqualFullRanks(_ c: ReducedCase) throws {
        let structured = StructuredHessian(try c.build())
        let reduced = ReducedHessian(structured)
        for part in HessianPart.allCases {
            let full = try CertifiedRank.rank(of: structured.source(for: part)).rank
            #expect(try CertifiedRank.rank(of: reduced.source(for: part)).rank == full, "\(c): \(part.symbol)")
            if part == .outer { #expect(try CertifiedRank.rank(of: reduced.reducedJacobian).rank == full, "\(c)") }
        }
    }

    /// The analyzer ranks the reduced matrices by default, and the full ones on request, with equal results.
    @Test func analyzerReducesByDefault() throws {
        let problem = try ReducedCase.drawn([8, 6, 6, 2], samples: 9, seed: 27).build()
        let reduced = try Analyzer.analyze(problem, seed: 27)
        let full = try Analyzer.analyze(problem, seed: 27, options: RankOptions(fullMatrices: true))
        let arch = problem.architecture
        #expect(RankOptions().reduces(arch) && !RankOptions(fullMatrices: true).reduces(arch))
        #expect(!RankOptions().reduces(arch.withBias(true)) && !RankOptions(activation: .relu).reduces(arch))
        #expect(reduced.parts.map(\.rank.rank) == full.parts.map(\.rank.rank))
        #expect(reduced.parts.allSatisfy { $0.rank.rank > 0 })
    }

    /// Generic mode reduces too: at the same point of F_p, the reduced and the full Hessians have equal ranks, with
    /// uniform data and with data of a prescribed rank (X = U V).
    @Test(arguments: [nil, 3])
    func genericModeReducesWithEqualRanks(dataRank: Int?) throws {
        let prime = SeededPrime.prime(28)
        let problem = try Generator.drawField(Architecture(widths: [8, 6, 6, 2]), samples: 9, dataRank: dataRank, prime: prime, seed: 28)
        let reduced = try Analyzer.analyze(problem, seed: 28, options: RankOptions(fieldPrime: prime))
        let full = try Analyzer.analyze(problem, seed: 28, options: RankOptions(fieldPrime: prime, fullMatrices: true))
        #expect(RankOptions(fieldPrime: prime).reduces(problem.architecture))
        #expect(reduced.parts.map(\.rank.rank) == full.parts.map(\.rank.rank))
        #expect(reduced.parts.allSatisfy { $0.rank.rank > 0 && $0.rank.errorBound! < 1e-15 })
        #expect(reduced.dataRank == (dataRank ?? 8))
    }

    /// Sizes on the paper's width sweep, counted by hand (d = 64, K = 10, N = 100). At w = 32: H_L's first layer
    /// keeps col(A^T) x R^64 (10 x 64) and R^32 x col(B Omega^T) (32 x 10), the middle layer 10 x 32 + 32 x 10, the
    /// last layer all 10 x 32: 960 + 640 + 320. H_F drops the first layer's 640, H_O the residual pieces. At w = 16
    /// the middle layer (16 x 16) is smaller than its two pieces (320) and stays whole, and Q^T H_O Q (960) is
    /// smaller than J Q.
    @Test func sizesOnThePapersWidthSweep() throws {
        for (w, loss, outer, functional, jacobianRows) in [(32, 1920, 1280, 1280, 1000),
                                                           (16, 800 + 256 + 160, 640 + 160 + 160, 160 + 256 + 160, 960)] {
            let problem = try Generator.draw(Architecture(widths: [64, w, w, 10]), samples: 100, seed: 1)
            let reduced = ReducedHessian(StructuredHessian(problem))
            #expect([reduced.dimension(of: .loss), reduced.dimension(of: .outer), reduced.dimension(of: .functional)]
                    == [loss, outer, functional], "w = \(w)")
            // H_O is ranked through J Q (N K = 1000 rows) when that is smaller than Q^T H_O Q.
            #expect(reduced.rankSource(for: .outer).rowCount == jacobianRows, "w = \(w)")
            // The shapes are known from the architecture alone (memory estimates, messages).
            for part in HessianPart.allCases {
                let source = reduced.rankSource(for: part)
                #expect(ReducedHessian.rankedShape(of: part, architecture: problem.architecture, samples: 100)
                        == MatrixShape(rows: source.rowCount, columns: source.columnCount), "w = \(w): \(part.symbol)")
            }
        }
    }
}

/// The degree bounds behind generic mode's Schwartz-Zippel bound, checked along a line: with every drawn value
/// (weights, targets, and U, V of data X = U V) multiplied by t, each entry is a polynomial in t of degree at most the
/// bound, so its (bound + 1)-th finite difference vanishes; the bound-th does not, for this network (it is attained).
@Suite struct DegreeBoundTests {
    static func scaled(_ m: IntegerMatrix, by c: Int) -> IntegerMatrix {
        IntegerMatrix.diagonal(Array(repeating: c, count: m.rowCount)) * m
    }

    /// sum_i (-1)^(n - i) C(n, i) values[i]: the n-th forward difference at 0.
    static func difference(_ values: [IntegerMatrix], order n: Int) -> IntegerMatrix {
        var binomial = 1
        var sum = IntegerMatrix(rows: values[0].rowCount, columns: values[0].columnCount)
        for i in 0...n {
            sum = sum + scaled(values[i], by: (n - i) % 2 == 0 ? binomial : -binomial)
            binomial = binomial * (n - i) / (i + 1)
        }
        return sum
    }

    /// Widths 6,5,5,2 (L = 3), N = 8, X = U V with U 8 x 3 and V 3 x 6, all scaled by t.
    static func problem(_ t: Int) throws -> Problem {
        func matrix(_ rows: Int, _ columns: Int, _ salt: Int) -> IntegerMatrix {
            IntegerMatrix((0..<rows).map { i in (0..<columns).map { j in (i * 7 + j * 3 + salt) % 9 - 4 } })
        }
        let architecture = try Architecture(widths: [6, 5, 5, 2])
        let weights = (0..<3).map { scaled(matrix(architecture.weightShape($0).rows, architecture.weightShape($0).columns, $0 + 1), by: t) }
        let x = scaled(matrix(8, 3, 5), by: t) * scaled(matrix(3, 6, 6), by: t)
        return try Problem(architecture: architecture, weights: weights, x: x, y: scaled(matrix(8, 2, 7), by: t))
    }

    @Test func degreeBoundHolds() throws {
        let depth = 3
        for reduced in [true, false] {
            let bound = reduced ? ReducedHessian.entryDegreeBound(depth: depth) : StructuredHessian.entryDegreeBound(depth: depth)
            var evaluations: [[IntegerMatrix]] = []   // per t, the matrices ranked (three parts, then J or J Q)
            for t in 0...(bound + 1) {
                let structured = StructuredHessian(try Self.problem(t))
                if reduced {
                    let r = ReducedHessian(structured)
                    evaluations.append(HessianPart.allCases.map { r.source(for: $0).exact } + [r.reducedJacobian.exact])
                } else {
                    evaluations.append(HessianPart.allCases.map { structured.source(for: $0).exact } + [structured.jacobian.exact])
                }
            }
            var attained = false
            for k in evaluations[0].indices {
                let values = evaluations.map { $0[k] }
                #expect(Self.difference(values, order: bound + 1).isZero, "reduced \(reduced), matrix \(k)")
                if !Self.difference(values, order: bound).isZero { attained = true }
            }
            #expect(attained, "reduced \(reduced): the bound \(bound) is attained here")
        }
    }
}
