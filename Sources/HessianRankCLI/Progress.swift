// Progress on stderr: a live bar when stderr is a terminal, a line every 10% otherwise (logs, CI).
#if canImport(Glibc)
import Glibc
#endif

struct Progress {
    let label: String
    let total: Int
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastDecile = -1

    init(_ label: String, total: Int) {
        self.label = label
        self.total = total
    }

    mutating func update(_ done: Int, _ detail: String = "") {
        guard total > 0 else { return }
        if isTerminal {
            let width = 30
            let filled = width * done / total
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            StandardError.write("\r\u{1B}[K\(label) [\(bar)] \(done)/\(total) \(detail)")
        } else {
            let decile = 10 * done / total
            if decile > lastDecile {
                lastDecile = decile
                StandardError.write("\(label): \(done)/\(total) \(detail)\n")
            }
        }
    }

    func finish() {
        if isTerminal { StandardError.write("\r\u{1B}[K") }
    }
}
