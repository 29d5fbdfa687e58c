// `hessian-rank bench --midrad-rank n,rank`: the speed of certified rank lower bounds by midpoint-radius doubles
// (`MidradRank`) on a seeded symmetric n x n matrix of the given rank with tiny radii, the size of the Hessians that
// Arb's ball LU cannot reach.
import BallArithmetic
import ExactAlgebra
import HessianCore

extension Bench {
    /// U D U^T with U (n x rank) of integers in [-3, 3] and D = diag(+-1, +-2), exact in doubles (every partial sum an
    /// integer below 2^53); radius 1e-12 relative to each entry (1e-12 on zeros). Symmetric, indefinite, rank `rank`
    /// when U has full column rank (generically).
    static func midradMatrix(_ n: Int, rank: Int, seed: UInt64) -> MidradMatrix {
        var g = SplitMix64(seed: seed)
        let u = (0..<(n * rank)).map { _ in Double(g.uniform(in: -3...3)) }
        let d = (0..<rank).map { _ in Double([-2, -1, 1, 2][g.uniform(in: 0...3)]) }
        var ud = u
        for i in 0..<n { for t in 0..<rank { ud[i * rank + t] *= d[t] } }
        let left = MidradMatrix(rows: n, columns: rank, midpoints: ud, radii: Array(repeating: 0, count: n * rank))
        let right = MidradMatrix(rows: n, columns: rank, midpoints: u, radii: Array(repeating: 0, count: n * rank)).transposed
        let mids = left.multiplied(by: right).midpoints
        return MidradMatrix(rows: n, columns: n, midpoints: mids, radii: mids.map { 1e-12 * max(1, abs($0)) })
    }

    func runMidradRank(n: Int, rank: Int) {
        func seconds(_ body: () -> Void) -> Double {
            let clock = ContinuousClock()
            let start = clock.now
            body()
            return (clock.now - start).seconds
        }
        var matrix = MidradMatrix(rows: 0, columns: 0)
        let build = seconds { matrix = Self.midradMatrix(n, rank: rank, seed: seed) }
        var bound = MidradRank.LowerBound(rank: 0, rows: [], columns: [], candidate: 0)
        let total = seconds { bound = MidradRank.lowerBound(matrix, goal: rank, symmetric: true) }
        var proven = false
        let verify = seconds { proven = MidradRank.isProvenNonsingular(matrix.submatrix(rows: bound.rows, columns: bound.columns)) }
        let header = ["n", "rank", "build", "select", "verify", "total", "proven", "candidate"]
        func line(_ cells: [String]) -> String { cells.map { Rank.pad($0, 11) }.joined() }
        print(line(header))
        print(line([String(n), String(rank), String(format: "%.3f", build), String(format: "%.3f", max(0, total - verify)),
                    String(format: "%.3f", verify), String(format: "%.3f", total), String(bound.rank) + (proven ? "" : "?"),
                    String(bound.candidate)]))
        print("seconds; goal = rank, symmetric; 'verify' is one verification of the proven minor, timed again alone, "
              + "and 'select' is the rest of 'total' (exact when the goal minor is proven at the first try); "
              + "peak \(Self.peakResidentMiB()) MiB")
    }
}
