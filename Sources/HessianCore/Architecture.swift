// The shape of a bias-free fully connected network: all widths, input first, output last.
//
// widths = [d, M_1, ..., M_{L-1}, K] gives L = widths.count - 1 weight matrices, W_t of size widths[t+1] x widths[t]
// (t = 0 ..< L, so W_1 of the paper is index 0). Parameters are ordered layer 1 first, each weight matrix row-major
// (numpy `reshape(-1)`), as in proofs/notation.md.
import Foundation

public struct Architecture: Sendable, Equatable, CustomStringConvertible {
    public let widths: [Int]

    /// Validates: at least two widths, each positive.
    public init(widths: [Int]) throws(InputError) {
        guard widths.count >= 2 else {
            throw InputError("needs at least two widths (input and output), e.g. 25,5,10,10; got \(widths.count)")
        }
        if let bad = widths.first(where: { $0 < 1 }) {
            throw InputError("every width must be a positive integer; got \(bad) in \(widths.map(String.init).joined(separator: ","))")
        }
        if let bad = widths.first(where: { $0 > Self.maximumWidth }) {
            throw InputError("width \(bad) is above the largest supported width, \(Self.maximumWidth)")
        }
        guard widths.count <= Self.maximumWidthCount else {
            throw InputError("\(widths.count) widths is more than the \(Self.maximumWidthCount) supported")
        }
        self.widths = widths
    }

    /// Widths and depth are bounded so that p and every offset fit an Int with room to spare (p < 2^50); the memory
    /// check refuses far smaller networks anyway.
    public static let maximumWidth = 1_000_000
    public static let maximumWidthCount = 1_000

    /// Parses "d,M1,...,K": comma-separated positive integers.
    public init(parsing text: String) throws(InputError) {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var widths: [Int] = []
        for field in fields {
            guard let value = Int(field) else {
                throw InputError("'\(field)' is not an integer; give comma-separated positive integers, e.g. 25,5,10,10")
            }
            widths.append(value)
        }
        try self.init(widths: widths)
    }

    /// L, the number of weight matrices.
    public var depth: Int { widths.count - 1 }
    public var inputWidth: Int { widths[0] }
    public var outputWidth: Int { widths[depth] }
    public var hiddenWidths: ArraySlice<Int> { widths.dropFirst().dropLast() }

    /// (rows, columns) of W_t, t = 0 ..< depth.
    public func weightShape(_ t: Int) -> (rows: Int, columns: Int) { (widths[t + 1], widths[t]) }

    /// Where layer t's parameters start in theta.
    public func parameterOffset(_ t: Int) -> Int {
        (0..<t).reduce(0) { $0 + widths[$1 + 1] * widths[$1] }
    }

    /// p = sum_t widths[t+1] * widths[t].
    public var parameterCount: Int { parameterOffset(depth) }

    public var description: String { widths.map(String.init).joined(separator: ",") }
}

/// Bad input from the user: a one-line message saying what is wrong and how to fix it.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

