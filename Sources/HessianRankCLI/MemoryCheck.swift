// The memory check every command that takes sizes runs from its `validate()`: the estimate (`MemoryEstimate`) of
// what the command builds, against --max-memory, with one message for every refusal, including sizes beyond 64-bit
// integers (exit 2: the input is well-formed, the network is just larger than any machine).
import ArgumentParser
import ExactAlgebra
import HessianCore

extension NetworkOptions {
    /// Refuses (exit 2) the drawn network, if --arch and --samples are given, when `workload` on it would need more
    /// than --max-memory. Each command calls it from its own `validate()`, since what it builds depends on its other
    /// options.
    func checkMemory(_ workload: MemoryEstimate.Workload) throws {
        guard arch != nil, let samples, let n = Int(samples) else { return }
        try Self.checkMemory(architecture, samples: n, dataRank: dataRankValue, limit: maxMemory, workload: workload)
    }

    /// Refuses a network on which `workload` would need more than `limit` (the text of --max-memory).
    /// `MemoryEstimate` computes every size with overflow checks; one beyond 64-bit integers is refused whatever the
    /// limit.
    static func checkMemory(_ architecture: Architecture, samples n: Int, dataRank: Int? = nil,
                            values: MemoryEstimate.Values = .integers, limit text: String,
                            workload: MemoryEstimate.Workload) throws {
        let limit = try memoryLimit(text)
        let needed = MemoryEstimate.bytes(workload, architecture, samples: n, dataRank: dataRank, values: values)
        if needed.map({ Double($0) > limit }) ?? true {
            throw memoryRefusal("the \(workload.matrices) of \(architecture) (p = \(architecture.parameterCount)) and N = \(n) samples",
                                needed: needed, limit: limit)
        }
    }

    /// Refuses when `workload` on the network of `networks` that needs most would need more than `limit`: the peak of
    /// a study or a benchmark, which runs them in turn.
    static func checkMemory(_ networks: [(architecture: Architecture, samples: Int)], values: MemoryEstimate.Values = .integers,
                            limit text: String, workload: MemoryEstimate.Workload) throws {
        let needs = networks.map { MemoryEstimate.bytes(workload, $0.architecture, samples: $0.samples, values: values) ?? .max }
        guard let largest = needs.indices.max(by: { needs[$0] < needs[$1] }) else { return }
        try checkMemory(networks[largest].architecture, samples: networks[largest].samples, values: values, limit: text,
                        workload: workload)
    }

    /// The CLI's form of the core's refusal of a shape given as `widths`: the memory refusal (`sizeRefusal`) when its
    /// sizes exceed 64-bit integers, else the message after `prefix` (e.g. "--arch: ").
    static func refusal(_ error: InputError, prefix: String, widths: String, samples: Int?, limit: String) -> Error {
        error.exceedsIntegerSizes ? sizeRefusal(widths, samples: samples, limit: limit) : ValidationError(prefix + error.message)
    }

    /// The refusal of widths whose sizes do not fit 64-bit integers (`InputError.exceedsIntegerSizes`): well-formed,
    /// but larger than any memory, so refused with the memory message like any network above the limit.
    static func sizeRefusal(_ widths: String, samples: Int?, limit text: String) -> Error {
        do {
            return memoryRefusal("the Hessians of \(widths)" + (samples.map { " and N = \($0) samples" } ?? ""), needed: nil,
                                 limit: try memoryLimit(text))
        } catch {
            return error
        }
    }

    static func memoryLimit(_ text: String) throws -> Double {
        guard let limit = MemoryEstimate.parse(text) else {
            throw ValidationError("--max-memory: expected a positive size such as 8G, 512M or 1073741824; got '\(text)'")
        }
        return limit
    }

    /// "--max-memory: <what> would need about <estimate>, above the limit of <limit>; ..." (more than 8 EiB when the
    /// estimate does not fit 64-bit integers, which no limit allows).
    static func memoryRefusal(_ what: String, needed: Int?, limit: Double) -> ValidationError {
        guard let needed else {
            return ValidationError("--max-memory: \(what) would need more than 8 EiB (sizes beyond 64-bit integers), above the limit of \(MemoryEstimate.describe(limit)); choose a smaller network")
        }
        return ValidationError("--max-memory: \(what) would need about \(MemoryEstimate.describe(Double(needed))), above the limit of \(MemoryEstimate.describe(limit)); raise --max-memory or choose a smaller network")
    }
}

extension RankMethodOptions {
    /// What `rank` builds with these options for `architecture`, for the memory check.
    func memoryWorkload(_ architecture: Architecture) -> MemoryEstimate.Workload {
        .rank(reduced: reduces(architecture), activation: activation, generic: generic)
    }
}

extension Problem {
    /// The bits of its largest value, for the memory estimate of a problem read from files.
    var valueBits: Int { (weights + biases + [x, y]).map(\.maximumEntryBits).max() ?? 0 }
}
