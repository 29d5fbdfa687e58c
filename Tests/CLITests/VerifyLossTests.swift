import Foundation
import Testing

/// `verify --loss`: the paper's formulas for cross-entropy (K - 1) and log-cosh against certified intervals on the
/// grid's small networks.
@Suite struct VerifyLossTests {
    /// The networks with p <= 20 (quick): every verdict is equal, within or below, none above (which would refute the
    /// formula for certain); the one-layer networks are exact (H_F = 0 and H_L = H_O, both certified).
    @Test(arguments: ["cross-entropy", "log-cosh"])
    func smallGridPasses(loss: String) throws {
        let run = try Binary.run(["verify", "--loss", loss, "--max-parameters", "20", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let summary = try #require(object["summary"] as? [String: Any])
        let records = try #require(object["records"] as? [[String: Any]])
        #expect(summary["above"] as? Int == 0 && summary["passed"] as? Bool == true)
        #expect(records.count == summary["networks"] as? Int && !records.isEmpty)
        for record in records where (record["architecture"] as! [Int]).count == 2 {
            let parts = record["parts"] as! [String: [String: Any]]
            #expect(parts["functional"]?["lower"] as? Int == 0 && parts["functional"]?["upper"] as? Int == 0, "\(record)")
            #expect(parts["loss"]?["lower"] as? Int == parts["outer"]?["lower"] as? Int, "\(record)")
        }
        let table = try Binary.run(["verify", "--loss", loss, "--max-parameters", "20"])
        #expect(table.stdout.split(separator: "\n").last?.hasPrefix("PASS: \(loss), ") == true)
    }

    @Test func refusals() throws {
        let certify = try Binary.run(["verify", "--loss", "log-cosh", "--certify"])
        #expect(certify.status == 2 && certify.stderr.contains("its ranks are certified intervals already"))
        let limit = try Binary.run(["verify", "--loss", "log-cosh", "--max-parameters", "4001"])
        #expect(limit.status == 2 && limit.stderr.contains("--max-parameters: expected 1...4000; got 4001"))
    }
}
