// Writing to stderr without touching the C global `stderr` (Swift 6 rejects shared mutable C state).
import Foundation

enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
