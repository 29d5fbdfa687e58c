// The formula language, evaluated at one network: the named quantities a formula may use, and exact 64-bit
// arithmetic that reports, rather than wraps or truncates, everything that has no integer answer.

/// What a formula knows about one network: its widths, samples, parameters, and the exact ranks the checker computed
/// at the point it drew (data rank, rank [X, 1], rank Omega). Names in formulas (proofs/conjecture-language.md):
///
///   d, K, N, L, p          input width, output width, samples, weight matrices, parameters (biases included)
///   M[i], M_i              widths: M[0] = d, M[1] ... M[L-1] hidden, M[L] = K;  hidden, widths: the lists
///   r, s, q                rank X, min(r, K), min(r, K, hidden widths) (q = s when L = 1)
///   rtilde, stilde, qtilde rank [X, 1] (r or r + 1), min(rtilde, K), min(rtilde, K, hidden widths)
///   omega                  rank Omega, the residual covariance (linear networks; with biases, the augmented one's)
///   bias                   1 with a bias in every layer, 0 without
///   Keff                   the effective number of outputs of the loss: K - 1 for cross-entropy, K otherwise
///
/// A convolutional network is read through its unrolled dense network (d and the widths flattened, p its own
/// parameters, omega the unrolled residual covariance's rank) and has the names of `ConvolutionQuantities` besides.
public struct NetworkQuantities: Sendable, Equatable {
    /// [d, M_1, ..., M_{L-1}, K].
    public let widths: [Int]
    public let samples: Int
    public let parameterCount: Int
    public let dataRank: Int
    /// rank [X, 1]; nil where it was not computed.
    public let augmentedDataRank: Int?
    /// rank Omega; nil where the network has none (piecewise-linear or smooth activations).
    public let residualRank: Int?
    public let bias: Bool
    public let effectiveOutputs: Int
    /// A convolutional network's own quantities; nil for a dense network.
    public let convolution: ConvolutionQuantities?

    public init(widths: [Int], samples: Int, parameterCount: Int, dataRank: Int, augmentedDataRank: Int? = nil,
                residualRank: Int? = nil, bias: Bool = false, effectiveOutputs: Int? = nil,
                convolution: ConvolutionQuantities? = nil) {
        precondition(widths.count >= 2, "NetworkQuantities: need input and output widths")
        precondition(convolution.map { $0.channels.count == widths.count - 1 } ?? true,
                     "NetworkQuantities: one entry per layer in the convolutional lists")
        self.widths = widths
        self.samples = samples
        self.parameterCount = parameterCount
        self.dataRank = dataRank
        self.augmentedDataRank = augmentedDataRank
        self.residualRank = residualRank
        self.bias = bias
        self.effectiveOutputs = effectiveOutputs ?? widths[widths.count - 1]
        self.convolution = convolution
    }

    /// A bias-free network's quantities from its widths and data rank alone (p = sum M_i M_{i-1}).
    public init(widths: [Int], dataRank: Int, samples: Int = 0, residualRank: Int? = nil) {
        self.init(widths: widths, samples: samples,
                  parameterCount: zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 },
                  dataRank: dataRank, residualRank: residualRank)
    }

    var depth: Int { widths.count - 1 }
    var outputs: Int { widths[widths.count - 1] }
    var hidden: ArraySlice<Int> { widths.dropFirst().dropLast() }
}

/// What a formula knows about a linear convolutional network beside its unrolled widths (proofs/convolution.md).
/// Names in formulas (proofs/conjecture-language.md), the lists indexed by layer i = 1..L:
///
///   C0, S                  input channels, spatial axes (1 or 2)
///   channels[i]            output channels (a dense layer's outputs)
///   kernel[i], stride[i]   kernel size k and stride (0 and 0 for a dense layer)
///   positions[i]           output positions per channel (1 for a dense layer)
///   kappa[i]               entries of one filter, C_{i-1} k^S (a dense layer's inputs)
///   patchrank              rank G of `conv-functional`, for one hidden convolution then a dense layer only
public struct ConvolutionQuantities: Sendable, Equatable {
    public let inputChannels: Int
    public let spatialAxes: Int
    public let channels: [Int]
    public let kernels: [Int]
    public let strides: [Int]
    public let positions: [Int]
    public let filterEntries: [Int]
    /// rank G at the point; nil where it is not defined (not one hidden convolution then a dense layer) or not
    /// computed (no formula reads it).
    public let patchResidualRank: Int?

    public init(inputChannels: Int, spatialAxes: Int, channels: [Int], kernels: [Int], strides: [Int], positions: [Int],
                filterEntries: [Int], patchResidualRank: Int? = nil) {
        precondition([kernels.count, strides.count, positions.count, filterEntries.count].allSatisfy { $0 == channels.count },
                     "ConvolutionQuantities: one entry per layer in every list")
        self.inputChannels = inputChannels
        self.spatialAxes = spatialAxes
        self.channels = channels
        self.kernels = kernels
        self.strides = strides
        self.positions = positions
        self.filterEntries = filterEntries
        self.patchResidualRank = patchResidualRank
    }

    func list(_ name: LayerList) -> [Int] {
        switch name {
        case .channels: channels
        case .kernel: kernels
        case .stride: strides
        case .positions: positions
        case .kappa: filterEntries
        }
    }
}

/// Why a formula has no value at one network: the message, the formula or definition it arose in, and where.
public struct FormulaEvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let position: Int
    /// The text of the formula or definition.
    public let source: String

    public init(message: String, position: Int, source: String) {
        self.message = message
        self.position = position
        self.source = source
    }

    public var description: String { "\(message) (at character \(position + 1) of '\(source)')" }
}

extension Formula {
    /// The formula's value at the network `quantities` describes.
    public func value(_ quantities: NetworkQuantities) throws(FormulaEvaluationError) -> Int {
        var evaluator = Evaluator(quantities: quantities, definitions: definitions)
        return try evaluator.integer(root, source: text)
    }
}

extension Formula {
    /// Whether the formula, or a definition it uses, reads the quantity `name`.
    public func reads(_ name: String) -> Bool {
        guard Quantity(rawValue: name) != nil || LayerList(rawValue: name) != nil else { return false }
        var visited = Set<Int>()
        func reads(_ node: Node) -> Bool {
            switch node {
            case .number, .list, .variable: return false
            case .quantity(let q, _): return q.rawValue == name
            case .layerList(let list, _): return list.rawValue == name
            case .layer(let list, let n, _): return list.rawValue == name || reads(n)
            case .definition(let k):
                guard visited.insert(k).inserted else { return false }
                return reads(definitions.entries[k].root)
            case .width(let n, _), .negate(let n, _), .not(let n): return reads(n)
            case .binary(_, let a, let b, _): return reads(a) || reads(b)
            case .conditional(let c, let a, let b): return reads(c) || reads(a) || reads(b)
            case .bind(_, let value, let body): return reads(value) || reads(body)
            case .aggregate(_, let arguments, _): return arguments.contains { reads($0.node) }
            case .indexed(_, _, let from, let to, let body, _): return reads(from) || reads(to) || reads(body)
            }
        }
        return reads(root)
    }
}

struct Evaluator {
    let quantities: NetworkQuantities
    let definitions: FormulaDefinitions
    /// Bound variables by slot.
    var slots: [Int] = []
    /// Each definition's value, once computed.
    var cache: [Int: Int] = [:]

    init(quantities: NetworkQuantities, definitions: FormulaDefinitions) {
        self.quantities = quantities
        self.definitions = definitions
    }

    func fail(_ message: String, _ position: Int, _ source: String) -> FormulaEvaluationError {
        FormulaEvaluationError(message: message, position: position, source: source)
    }

    mutating func integer(_ node: Node, source: String) throws(FormulaEvaluationError) -> Int {
        switch node {
        case .number(let n):
            return n
        case .quantity(let quantity, let position):
            return try value(of: quantity, position, source)
        case .width(let indexNode, let position):
            let i = try integer(indexNode, source: source)
            guard i >= 0 && i < quantities.widths.count else {
                throw fail("M[\(i)] does not exist: widths run from M[0] = d to M[L] = M[\(quantities.depth)] = K", position, source)
            }
            return quantities.widths[i]
        case .layer(let name, let indexNode, let position):
            let i = try integer(indexNode, source: source)
            let values = try convolution(name.rawValue, name.meaning, position, source).list(name)
            guard i >= 1 && i <= values.count else {
                throw fail("\(name.rawValue)[\(i)] does not exist: the layers run from 1 to L = \(values.count)"
                           + (i == 0 && name == .channels ? " (the input's channels are C0)" : ""), position, source)
            }
            return values[i - 1]
        case .variable(let slot):
            return slots[slot]
        case .definition(let k):
            if let known = cache[k] { return known }
            let entry = definitions.entries[k]
            var inner = Evaluator(quantities: quantities, definitions: definitions)
            inner.cache = cache
            let v = try inner.integer(entry.root, source: entry.text)
            cache = inner.cache
            cache[k] = v
            return v
        case .negate(let operand, let position):
            let (v, overflow) = 0.subtractingReportingOverflow(try integer(operand, source: source))
            guard !overflow else { throw fail("the negation overflows a 64-bit integer", position, source) }
            return v
        case .binary(let op, let left, let right, let position):
            return try arithmetic(op, try integer(left, source: source), try integer(right, source: source), position, source)
        case .conditional(let condition, let thenNode, let elseNode):
            return try integer(try truth(condition, source: source) ? thenNode : elseNode, source: source)
        case .bind(let slot, let valueNode, let body):
            let v = try integer(valueNode, source: source)
            setSlot(slot, v)
            return try integer(body, source: source)
        case .aggregate(let aggregate, let arguments, let position):
            var values: [Int] = []
            for argument in arguments {
                if argument.type == .list { values += try list(argument.node, source: source) } else { values.append(try integer(argument.node, source: source)) }
            }
            if aggregate == .len { return values.count }
            return try combine(aggregate, values, position, source)
        case .indexed(let aggregate, let slot, let fromNode, let toNode, let body, let position):
            let from = try integer(fromNode, source: source), to = try integer(toNode, source: source)
            guard to < from || to - from < 1_000_000 else {
                throw fail("the range \(from)..\(to) has more than a million terms", position, source)
            }
            var values: [Int] = []
            if from <= to {
                for i in from...to {
                    setSlot(slot, i)
                    values.append(try integer(body, source: source))
                }
            }
            return try combine(aggregate, values, position, source)
        case .list, .layerList, .not:
            preconditionFailure("Evaluator: the parser typed this node as a list or condition")
        }
    }

    mutating func setSlot(_ slot: Int, _ value: Int) {
        if slots.count <= slot { slots += Array(repeating: 0, count: slot + 1 - slots.count) }
        slots[slot] = value
    }

    mutating func truth(_ node: Node, source: String) throws(FormulaEvaluationError) -> Bool {
        switch node {
        case .not(let inner):
            return !(try truth(inner, source: source))
        case .binary(.and, let left, let right, _):
            // Short-circuit, as a reader expects: the right side is evaluated only when it decides.
            guard try truth(left, source: source) else { return false }
            return try truth(right, source: source)
        case .binary(.or, let left, let right, _):
            if try truth(left, source: source) { return true }
            return try truth(right, source: source)
        case .binary(let op, let left, let right, _):
            let a = try integer(left, source: source), b = try integer(right, source: source)
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            case .less: return a < b
            case .lessOrEqual: return a <= b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            default: preconditionFailure("Evaluator: \(op) is not a comparison")
            }
        case .conditional(let condition, let thenNode, let elseNode):
            return try truth(try truth(condition, source: source) ? thenNode : elseNode, source: source)
        case .bind(let slot, let valueNode, let body):
            setSlot(slot, try integer(valueNode, source: source))
            return try truth(body, source: source)
        default:
            preconditionFailure("Evaluator: the parser typed this node as a condition")
        }
    }

    func list(_ node: Node, source: String) throws(FormulaEvaluationError) -> [Int] {
        if case .layerList(let name, let position) = node {
            return try convolution(name.rawValue, name.meaning, position, source).list(name)
        }
        guard case .list(let name) = node else { preconditionFailure("Evaluator: the parser typed this node as a list") }
        switch name {
        case .hidden: return Array(quantities.hidden)
        case .widths: return quantities.widths
        }
    }

    /// The convolutional network's quantities, or the error of reading `name` at a dense network.
    func convolution(_ name: String, _ meaning: String, _ position: Int, _ source: String) throws(FormulaEvaluationError) -> ConvolutionQuantities {
        guard let convolution = quantities.convolution else {
            throw fail("\(name) (\(meaning)) is defined for convolutional networks only; this network is dense", position, source)
        }
        return convolution
    }

    func value(of quantity: Quantity, _ position: Int, _ source: String) throws(FormulaEvaluationError) -> Int {
        let q = quantities
        let k = q.outputs, r = q.dataRank
        func missing(_ what: String) -> FormulaEvaluationError {
            fail("\(quantity.rawValue) (\(what)) is not known for this network", position, source)
        }
        switch quantity {
        case .d: return q.widths[0]
        case .K: return k
        case .N: return q.samples
        case .L: return q.depth
        case .p: return q.parameterCount
        case .r: return r
        case .s: return min(r, k)
        case .q: return min(r, k, q.hidden.min() ?? .max)
        case .rtilde, .stilde, .qtilde:
            guard let rt = q.augmentedDataRank else { throw missing("rank [X, 1]") }
            return quantity == .rtilde ? rt : quantity == .stilde ? min(rt, k) : min(rt, k, q.hidden.min() ?? .max)
        case .omega:
            guard let omega = q.residualRank else { throw missing("rank Omega, defined for linear networks") }
            return omega
        case .bias: return q.bias ? 1 : 0
        case .Keff: return q.effectiveOutputs
        case .C0: return try convolution("C0", "input channels", position, source).inputChannels
        case .S: return try convolution("S", "spatial axes", position, source).spatialAxes
        case .patchrank:
            guard let g = try convolution("patchrank", "rank G", position, source).patchResidualRank else {
                throw fail("patchrank (rank G) is defined for one hidden convolution then a dense layer, without biases "
                           + "(proofs/convolution.md); this network has other layers", position, source)
            }
            return g
        }
    }

    func arithmetic(_ op: BinaryOperator, _ a: Int, _ b: Int, _ position: Int, _ source: String) throws(FormulaEvaluationError) -> Int {
        let result: (partialValue: Int, overflow: Bool)
        switch op {
        case .add: result = a.addingReportingOverflow(b)
        case .subtract: result = a.subtractingReportingOverflow(b)
        case .multiply: result = a.multipliedReportingOverflow(by: b)
        case .divide, .remainder:
            guard b != 0 else { throw fail("\(a) \(op.rawValue) 0: division by zero", position, source) }
            let (quotient, overflow) = a.dividedReportingOverflow(by: b)
            guard !overflow else { throw fail("\(a) / \(b) overflows a 64-bit integer", position, source) }
            let remainder = a - quotient * b
            if op == .remainder { return remainder }
            guard remainder == 0 else {
                throw fail("\(a) / \(b) leaves a remainder (\(remainder)): / is exact division; write (a - a % b) / b to round down",
                           position, source)
            }
            return quotient
        case .power:
            guard b >= 0 else { throw fail("\(a) ^ \(b): the exponent must be >= 0", position, source) }
            // 0, 1 and -1 never overflow, whatever the exponent; any other base does within 63 factors.
            if a == 0 || a == 1 || b == 0 { return b == 0 ? 1 : a }
            if a == -1 { return b % 2 == 0 ? 1 : -1 }
            var value = 1, overflow = false, k = 0
            while k < b && !overflow {
                (value, overflow) = value.multipliedReportingOverflow(by: a)
                k += 1
            }
            result = (value, overflow)
        default:
            preconditionFailure("Evaluator: \(op) is not arithmetic")
        }
        guard !result.overflow else { throw fail("\(a) \(op.rawValue) \(b) overflows a 64-bit integer", position, source) }
        return result.partialValue
    }

    func combine(_ aggregate: Aggregate, _ values: [Int], _ position: Int, _ source: String) throws(FormulaEvaluationError) -> Int {
        switch aggregate {
        case .min, .max:
            guard let v = aggregate == .min ? values.min() : values.max() else {
                throw fail("\(aggregate.rawValue) over nothing (an empty list or range)", position, source)
            }
            return v
        case .sum, .prod:
            var total = aggregate == .sum ? 0 : 1
            for v in values {
                let (next, overflow) = aggregate == .sum ? total.addingReportingOverflow(v) : total.multipliedReportingOverflow(by: v)
                guard !overflow else { throw fail("\(aggregate.rawValue) overflows a 64-bit integer", position, source) }
                total = next
            }
            return total
        case .abs:
            guard values[0] != .min else { throw fail("abs overflows a 64-bit integer", position, source) }
            return Swift.abs(values[0])
        case .len:
            return values.count
        }
    }
}
