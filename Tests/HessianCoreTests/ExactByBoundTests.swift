import ExactAlgebra
import HessianCore
import RankFormulas
import Testing

/// A rank computed modulo any prime is a certain lower bound; where it meets an upper bound that holds at every point
/// (proofs/upper-bounds.md), the analysis reports it exact (`PartAnalysis.exactBy`). Below every bound it is not; an
/// observed statement (the with-bias conjecture) never closes a rank; generic mode has no such bounds.
@Suite struct ExactByBoundTests {
    /// The paper's demo at a drawn point meets the three bounds: H_O the proved `outer`, H_F and H_L the cited ones;
    /// with a prime fixed in advance (replayed with --prime) too, since no prime can raise a modular rank.
    @Test(arguments: [PrimeChoice.random(count: 1), .given([SeededPrime.prime(41)])])
    func genericDrawMeetsItsBounds(primes: PrimeChoice) throws {
        let problem = try Generator.draw(Architecture(widths: [25, 5, 10, 10]), samples: 50, seed: 1)
        let a = try Analyzer.analyze(problem, seed: 1, options: RankOptions(primes: primes))
        #expect(a.parts.map(\.rank.rank) == [250, 150, 175])
        #expect(a.parts.map { $0.exactBy?.statement } == ["loss", "outer", "functional-bound"])
        #expect(a.parts.map { $0.exactBy?.basis } == [.cited, .provedHere, .cited])
    }

    /// A non-generic point (data in the kernel of W_1, as in `AnalysisTests`): H_O has rank 2 below its bound 3, so it
    /// is not reported exact; H_F at L = 2 meets 2 M_1 rank Omega, an identity at every point.
    @Test func belowTheBoundIsNotExact() throws {
        let problem = try Problem(architecture: Architecture(widths: [3, 1, 2]),
                                  weights: [IntegerMatrix([[1, 1, 1]]), IntegerMatrix([[1], [2]])],
                                  x: IntegerMatrix([[1, -1, 0], [0, 1, -1]]), y: IntegerMatrix([[1, 2], [3, -4]]))
        let a = try Analyzer.analyze(problem, seed: 1)
        #expect(a.part(.outer).rank.rank == 2 && a.part(.outer).upperBound?.value == 3)
        #expect(a.part(.outer).exactBy == nil)
        let omega = try #require(a.diagnosis).residualRank
        #expect(a.part(.functional).exactBy == UpperBound(value: 2 * 1 * omega, statement: "functional-L2", basis: .provedHere))
        #expect(a.part(.functional).rank.rank == 2 * omega)
    }

    /// With biases the closed forms are the with-bias conjecture, observed only: a rank equal to it but below every
    /// proven bound is not exact. 6,4,3 with biases, N = 9: the conjecture's H_L = 39 and H_O = 21, p = 43, N K = 27.
    /// The proven bounds are those of the augmented network [7, 5, 3] with r~ = rank [X, 1] = 7 (`bias-network`):
    /// q = min(7, 5, 3) = 3, so H_O <= q (r~ + K - q) = 21, met (exact, by the principal-submatrix argument and
    /// `outer`, not by the conjecture); H_L <= q (r~ + K) + 2 q 5 - 2 q^2 = 30 + 30 - 18 = 42 (`loss`, cited), above
    /// the rank 39, which stays a lower bound although it equals the conjecture.
    @Test func anObservedConjectureNeverCloses() throws {
        let problem = try Generator.draw(Architecture(widths: [6, 4, 3], bias: true), samples: 9, seed: 1)
        let a = try Analyzer.analyze(problem, seed: 1)
        #expect(a.parts.map(\.rank.rank) == a.parts.map(\.formula.value))
        #expect(a.part(.loss).rank.rank == 39 && a.part(.outer).rank.rank == 21)
        #expect(a.augmentedDataRank == 7)
        #expect(a.part(.loss).upperBound == UpperBound(value: 42, statement: "bias-network:loss", basis: .cited))
        #expect(a.part(.loss).exactBy == nil)
        #expect(a.part(.outer).exactBy == UpperBound(value: 21, statement: "bias-network:outer", basis: .provedHere))
        #expect(a.exactParts.map(\.part) == [.outer])
    }

    /// A ReLU network with fewer Jacobian rows than parameters (N K = 6 < p = 36): its H_O meets N K.
    @Test func reluOuterMeetsTheJacobianRows() throws {
        let problem = try Generator.draw(Architecture(widths: [6, 4, 3]), samples: 2, seed: 2)
        let a = try Analyzer.analyze(problem, seed: 2, options: RankOptions(activation: .relu))
        #expect(a.part(.outer).rank.rank == 6)
        #expect(a.part(.outer).exactBy == StructuralBounds.jacobianRows(samples: 2, outputs: 3))
    }

    /// Generic mode ranks over F_p: no bound over Q applies, nothing is reported exact.
    @Test func genericModeHasNoBounds() throws {
        let prime = SeededPrime.prime(5)
        let problem = try Generator.drawField(Architecture(widths: [4, 3, 2]), samples: 5, prime: prime, seed: 5)
        let a = try Analyzer.analyze(problem, seed: 5, options: RankOptions(fieldPrime: prime))
        #expect(a.parts.allSatisfy { $0.upperBound == nil && $0.exactBy == nil })
    }
}
