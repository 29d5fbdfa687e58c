// The paper's three studies (Sweep.swift): their shapes, and shards that cover every point exactly once.
import HessianCore
import Testing

@Suite struct SweepTests {
    /// The studies have the paper's shapes, and the shards of any count cover every point exactly once.
    @Test func studiesAndShards() {
        #expect(SweepStudy.width.points.map(\.variable) == Array(stride(from: 4, through: 56, by: 4)))
        #expect(SweepStudy.width.points.last?.architecture.parameterCount == 7_280)
        #expect(SweepStudy.depth.points.map { $0.architecture.depth } == Array(2...10))
        #expect(SweepStudy.samples.points.allSatisfy { $0.architecture.widths == [64, 10, 10, 10] })
        for study in SweepStudy.allCases {
            for n in 1...5 {
                let indices = (1...n).flatMap { study.points(shard: $0, of: n).map(\.index) }
                #expect(indices.sorted() == study.points.map(\.index), "\(study) in \(n) shards")
            }
        }
    }
}
