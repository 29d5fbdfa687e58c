// The shape of a fully connected network: all widths, input first, output last, and whether every layer has a bias.
//
// widths = [d, M_1, ..., M_{L-1}, K] gives L = widths.count - 1 weight matrices, W_t of size widths[t+1] x widths[t]
// (t = 0 ..< L, so W_1 of the paper is index 0), and with `bias` the vectors b_t of size widths[t+1]. Parameters are
// ordered layer 1 first; within a layer the weight matrix row-major (numpy `reshape(-1)`), then its bias: PyTorch's
// order for `nn.Linear` (`weight`, then `bias`), as in proofs/notation.md.
import Foundation

public struct Architecture: Sendable, Equatable, CustomStringConvertible {
    public let widths: [Int]
    /// Every layer has a bias (f(x) = W_L (... sigma(W_1 x + b_1) ...) + b_L); false: none has.
    public let bias: Bool

    /// p = sum_t widths[t+1] * widths[t] (+ widths[t+1] with bias), the number of parameters.
    public let parameterCount: Int

    /// Validates: at least two widths, each positive, at most `maximumWidthCount` of them; and sizes that 64-bit
    /// integers can count: p^2, the entries of one Hessian, must fit an Int (`checkedParameterCount`). Every width is at
    /// most p, so every product of two widths, every offset and every reduced size (at most p) fits as well: code
    /// holding an Architecture never needs to check those. Sizes that involve the samples (N d, N K, ...) are checked
    /// by `MemoryEstimate` before anything is allocated.
    public init(widths: [Int], bias: Bool = false) throws(InputError) {
        guard widths.count >= 2 else {
            throw InputError("needs at least two widths (input and output), e.g. 25,5,10,10; got \(widths.count)")
        }
        if let bad = widths.first(where: { $0 < 1 }) {
            throw InputError("every width must be a positive integer; got \(bad) in \(widths.map(String.init).joined(separator: ","))")
        }
        guard widths.count <= Self.maximumWidthCount else {
            throw InputError("\(widths.count) widths is more than the \(Self.maximumWidthCount) supported")
        }
        guard let p = Self.checkedParameterCount(widths, bias: bias) else {
            throw InputError("the Hessians of \(widths.map(String.init).joined(separator: ",")) would have more than 2^63 entries (p^2 does not fit a 64-bit integer); choose a smaller network",
                             exceedsIntegerSizes: true)
        }
        self.widths = widths
        self.bias = bias
        self.parameterCount = p
    }

    /// The depth is bounded so that tables indexed by pairs of layers stay small; widths are bounded by p^2 fitting an
    /// Int (`init`), and the memory check refuses far smaller networks anyway.
    public static let maximumWidthCount = 1_000

    /// p for positive widths, or nil when p^2 (the entries of one p x p Hessian) exceeds Int.max, p itself included.
    public static func checkedParameterCount(_ widths: [Int], bias: Bool = false) -> Int? {
        var p = 0
        for (rows, columns) in zip(widths.dropFirst(), widths) {
            let (inputs, wrap) = columns.addingReportingOverflow(bias ? 1 : 0)
            let (size, overflow) = rows.multipliedReportingOverflow(by: inputs)
            guard !wrap else { return nil }
            guard !overflow else { return nil }
            let (sum, carry) = p.addingReportingOverflow(size)
            guard !carry else { return nil }
            p = sum
        }
        return p.multipliedReportingOverflow(by: p).overflow ? nil : p
    }

    /// Parses "d,M1,...,K": comma-separated positive integers.
    public init(parsing text: String, bias: Bool = false) throws(InputError) {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var widths: [Int] = []
        for field in fields {
            guard let value = Int(field) else {
                throw InputError("'\(field)' is not an integer; give comma-separated positive integers, e.g. 25,5,10,10")
            }
            widths.append(value)
        }
        try self.init(widths: widths, bias: bias)
    }

    /// The same widths with or without biases.
    public func withBias(_ bias: Bool) -> Architecture { try! Architecture(widths: widths, bias: bias) }

    /// L, the number of weight matrices.
    public var depth: Int { widths.count - 1 }
    public var inputWidth: Int { widths[0] }
    public var outputWidth: Int { widths[depth] }
    public var hiddenWidths: ArraySlice<Int> { widths.dropFirst().dropLast() }

    /// (rows, columns) of W_t, t = 0 ..< depth.
    public func weightShape(_ t: Int) -> (rows: Int, columns: Int) { (widths[t + 1], widths[t]) }

    /// Where layer t's parameters (W_t, then b_t) start in theta.
    public func parameterOffset(_ t: Int) -> Int {
        (0..<t).reduce(0) { $0 + layerParameterCount($1) }
    }

    /// The parameters of layer t: W_t and, with `bias`, b_t.
    public func layerParameterCount(_ t: Int) -> Int { widths[t + 1] * (bias ? widths[t] + 1 : widths[t]) }

    /// The widths, as --arch takes them (the bias is a separate option).
    public var description: String { widths.map(String.init).joined(separator: ",") }

    /// The widths, and "with bias" when there is one: for reports.
    public var summary: String { bias ? "\(description) with bias" : description }
}

/// Bad input from the user: a one-line message saying what is wrong and how to fix it.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// Set when the input is well-formed but its sizes exceed 64-bit integers (widths whose p^2 does not fit an Int):
    /// no memory could hold it, so the CLI reports it as the --max-memory refusal it amounts to.
    public let exceedsIntegerSizes: Bool
    public init(_ message: String, exceedsIntegerSizes: Bool = false) {
        self.message = message
        self.exceedsIntegerSizes = exceedsIntegerSizes
    }
    public var description: String { message }
}

