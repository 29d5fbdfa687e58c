// `hessian-rank merge`: combine the JSON lines of `sweep --shard` runs into one table, JSON document or plot.
import ArgumentParser
import Foundation
import HessianCore

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine the JSON lines of sweep shards (exit 1 if points of the study are missing).",
        discussion: "Example: hessian-rank merge width-*.jsonl --plot width.svg"
    )

    @Argument(help: ArgumentHelp("JSON-lines files written by `hessian-rank sweep --shard`.", valueName: "file"))
    var files: [String]

    @OptionGroup var output: SweepOutputOptions

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one JSON-lines file from `hessian-rank sweep --shard`") }
        try output.validatePlot()
        if let plot = output.plot { try Validate.output(plot, option: "--plot", isNotAmong: files) }
    }

    func run() throws {
        var records: [Int: SweepRecord] = [:]
        for file in files {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ValidationError("cannot read \(file): \(error.localizedDescription)")
            }
            for (number, line) in text.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                let record: SweepRecord
                do { record = try JSONDecoder().decode(SweepRecord.self, from: Data(line.utf8)) } catch {
                    throw ValidationError("\(file):\(number + 1): not a sweep record (\(error.localizedDescription))")
                }
                guard record.formatVersion == SweepRecord.currentFormatVersion else {
                    throw ValidationError("\(file):\(number + 1): unknown format version \(record.formatVersion)")
                }
                if let other = records.values.first, other.study != record.study {
                    throw ValidationError("\(file):\(number + 1): a \(record.study.rawValue) record among \(other.study.rawValue) records")
                }
                if let other = records.values.first, other.activation != record.activation || other.data != record.data {
                    throw ValidationError("\(file):\(number + 1): a \(record.activation) record with \(record.data) data among \(other.activation) records with \(other.data) data")
                }
                if let previous = records[record.index], previous != record {
                    throw ValidationError("\(file):\(number + 1): point \(record.index) appears twice with different contents")
                }
                records[record.index] = record
            }
        }
        guard let study = records.values.first?.study else { throw ValidationError("no sweep records in \(files.joined(separator: ", "))") }
        try output.emit(Array(records.values))
        let missing = study.points.map(\.index).filter { records[$0] == nil }
        if !missing.isEmpty {
            StandardError.write("merge: \(missing.count) of \(study.points.count) points of the \(study.rawValue) study are missing: \(missing.map(String.init).joined(separator: ", "))\n")
            throw ExitCode(1)
        }
    }
}
