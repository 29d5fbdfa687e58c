// `hessian-rank merge`: combine the JSON lines of `sweep --shard` runs into one table, JSON document or plot.
import ArgumentParser
import Foundation
import HessianCore
#if canImport(Glibc)
import Glibc
#endif

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

    /// Every line of every file becomes a point of the table, or the merge is refused (exit 2) naming the file and
    /// line: a line that is not a record, a record of another format, study, activation or data kind, a point
    /// outside the study or not of the study's shape, and a point given twice. Nothing is dropped or replaced
    /// silently; only blank lines are skipped.
    func run() throws {
        var records: [Int: SweepRecord] = [:]
        var places: [Int: String] = [:]
        for file in files {
            let text = try Self.contents(of: file)
            // Lines as the file has them (blank ones included), so that the numbers in messages are an editor's.
            for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                let place = "\(file):\(number + 1)"
                let record: SweepRecord
                do { record = try JSONDecoder().decode(SweepRecord.self, from: Data(line.utf8)) } catch {
                    throw ValidationError("\(place): not a sweep record (\(Self.reason(error)))")
                }
                guard record.formatVersion == SweepRecord.currentFormatVersion else {
                    throw ValidationError("\(place): unknown format version \(record.formatVersion)")
                }
                if let other = records.values.first, other.study != record.study {
                    throw ValidationError("\(place): a \(record.study.rawValue) record among \(other.study.rawValue) records")
                }
                if let other = records.values.first, other.activation != record.activation || other.data != record.data || other.bias != record.bias {
                    throw ValidationError("\(place): a \(record.activation) record with \(record.data) data among \(other.activation) records with \(other.data) data")
                }
                let points = record.study.points
                guard points.indices.contains(record.index) else {
                    throw ValidationError("\(place): point \(record.index) is not in the \(record.study.rawValue) study, whose points are 0 to \(points.count - 1)")
                }
                let point = points[record.index]
                guard record.architecture == point.architecture.widths, record.samples == point.samples, record.variable == point.variable else {
                    throw ValidationError("\(place): point \(record.index) of the \(record.study.rawValue) study has widths \(point.architecture) and N = \(point.samples), but this record has widths \(record.architecture.map(String.init).joined(separator: ",")) and N = \(record.samples)")
                }
                if let first = places[record.index] {
                    throw ValidationError(records[record.index] == record
                        ? "\(place): point \(record.index) appears a second time (first at \(first)); give each shard's file once"
                        : "\(place): point \(record.index) appears a second time, with other contents (first at \(first)); the files come from different runs")
                }
                records[record.index] = record
                places[record.index] = place
            }
        }
        guard let study = records.values.first?.study else { throw ValidationError("no sweep records in \(files.joined(separator: ", "))") }
        try output.emit(Array(records.values))
        let missing = study.points.map(\.index).filter { records[$0] == nil }
        if !missing.isEmpty {
            StandardError.write("merge: \(missing.count) of \(study.points.count) points of the \(study.rawValue) study are missing: \(missing.map(String.init).joined(separator: ", "))\n")
            throw CommandFailure.checkFailed
        }
    }

    /// Why a line is not a record, in one line: the field and the problem, not Foundation's generic sentence.
    static func reason(_ error: any Error) -> String {
        func field(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        func located(_ context: DecodingError.Context) -> String {
            field(context).isEmpty ? context.debugDescription : "\(field(context)): \(context.debugDescription)"
        }
        let text: String
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            text = "no field \(([field(context)] + [key.stringValue]).filter { !$0.isEmpty }.joined(separator: "."))"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            text = located(context)
        case .dataCorrupted(let context)? where context.codingPath.isEmpty:
            text = "not valid JSON"
        case .dataCorrupted(let context)?:
            text = located(context)
        default:
            text = "\(error)"
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The text of a sweep file, or a one-line reason from the system (exit 2).
    static func contents(of file: String) throws -> String {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ValidationError("cannot read \(file): \(Validate.reason(errno))") }
        defer { close(descriptor) }
        var data = Data(), buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw ValidationError("cannot read \(file): \(Validate.reason(errno))") }
            if count == 0 { break }
            data.append(contentsOf: buffer[..<count])
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("cannot read \(file): not UTF-8 text") }
        return text
    }
}
