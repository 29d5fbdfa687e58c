// The formula language: how a rank formula is written, read and checked for types before any network is seen.
//
// A formula is an integer expression over a network's named quantities (`NetworkQuantities`), optionally preceded by
// the relation it claims with the rank (`==`, `<=`, `>=`; none means `==`). Its grammar, loosest binding first:
//
//   claim      = [ "==" | "=" | "<=" | ">=" ] expression
//   expression = "if" expression "then" expression "else" expression
//              | "let" name "=" expression "in" expression
//              | or
//   or         = and { "or" and }            and = not { "and" not }            not = "not" not | comparison
//   comparison = sum [ ("==" | "!=" | "<" | "<=" | ">" | ">=") sum ]          (no chains: write a < b and b < c)
//   sum        = product { ("+" | "-") product }                 product = unary { ("*" | "/" | "%") unary }
//   unary      = "-" unary | power                               power = atom [ "^" unary ]   (right-associative)
//   atom       = integer | name | "M" "[" expression "]" | M_3 (= M[3]) | "(" expression ")"
//              | function "(" arguments ")"                      function = min | max | sum | prod | len | abs
//   arguments  = expression { "," expression }                   each an integer or a list (lists are flattened)
//              | name "=" expression ".." expression "," expression   (an index running over a range, both ends in)
//
// Convolutional networks add C0, S, patchrank and the per-layer lists channels, kernel, stride, positions and kappa,
// read whole (`sum(channels)`) or at a layer (`channels[i]`, i = 1..L). A formula read for dense networks
// (`NetworkKind.dense`) refuses them, and there they are free names for definitions and variables.
//
// Every expression has a type: an integer, a condition (comparisons, and, or, not) or a list (`hidden`, `widths`).
// Types are checked while parsing, so `if r then 1 else 2` or `hidden + 1` are refused with the position before any
// network is ranked. Arithmetic is exact on 64-bit integers; what can only fail at a network (a division that leaves a
// remainder, an overflow, an index outside 0...L, a quantity this network does not have) is an evaluation error for
// that network (`FormulaEvaluation.swift`).

/// A formula that cannot be read: what is wrong and where (0-based character offset in `source`).
public struct FormulaSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let position: Int
    public let source: String

    public init(_ message: String, at position: Int, in source: String) {
        self.message = message
        self.position = position
        self.source = source
    }

    /// "at character 7: expected ')' ..." then the formula and a caret under the position.
    public var description: String {
        "at character \(position + 1): \(message)\n    \(source)\n    " + String(repeating: " ", count: position) + "^"
    }
}

/// What a formula claims about the rank.
public enum Relation: String, Sendable, Codable, CaseIterable {
    case equal = "=="
    case atMost = "<="
    case atLeast = ">="
}

/// The type of an expression.
enum ValueType: String, Sendable {
    case integer = "an integer"
    case condition = "a condition"
    case list = "a list"
}

/// The networks a formula is read for: a name that means nothing there is refused when the formula is read.
public enum NetworkKind: String, Sendable {
    /// Dense networks (`hessian-rank conjecture --inputs ...`): the names of convolutional networks are refused, and
    /// free for definitions and variables.
    case dense
    /// Linear convolutional networks (`--input ... --layers ...`): every name, the dense ones read through the
    /// unrolled network.
    case convolutional
}

/// A named quantity of the network (`NetworkQuantities`).
enum Quantity: String, Sendable, CaseIterable {
    case d, K, N, L, p, r, s, q, rtilde, stilde, qtilde, omega, bias, Keff
    /// Convolutional networks only (`ConvolutionQuantities`): input channels, spatial axes, rank G.
    case C0, S, patchrank

    var convolutionalOnly: Bool { self == .C0 || self == .S || self == .patchrank }
}

enum ListName: String, Sendable, CaseIterable {
    case hidden, widths
}

/// The per-layer lists of a convolutional network (`ConvolutionQuantities`), indexed by layer 1..L.
enum LayerList: String, Sendable, CaseIterable {
    case channels, kernel, stride, positions, kappa

    /// What the list holds, for messages.
    var meaning: String {
        switch self {
        case .channels: "output channels per layer"
        case .kernel: "kernel size per layer"
        case .stride: "stride per layer"
        case .positions: "output positions per channel, per layer"
        case .kappa: "entries of one filter per layer"
        }
    }
}

enum Aggregate: String, Sendable, CaseIterable {
    case min, max, sum, prod, len, abs
}

enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", power = "^"
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case and, or
}

/// A parsed expression. `position` is where the node's operator or name starts, for evaluation errors.
indirect enum Node: Sendable {
    case number(Int)
    case quantity(Quantity, position: Int)
    case list(ListName)
    /// M[i]: widths[i], d at 0 and K at L.
    case width(Node, position: Int)
    /// A convolutional network's per-layer list, whole.
    case layerList(LayerList, position: Int)
    /// channels[i] and the like: layer i's entry, i = 1..L.
    case layer(LayerList, Node, position: Int)
    /// A variable bound by `let` or an indexed aggregate: its slot in the evaluation's environment.
    case variable(slot: Int)
    /// A `--define`d name: evaluated on its own (it sees no bound variable), once per network.
    case definition(index: Int)
    case negate(Node, position: Int)
    case not(Node)
    case binary(BinaryOperator, Node, Node, position: Int)
    case conditional(Node, then: Node, else: Node)
    case bind(slot: Int, value: Node, body: Node)
    /// min, max, sum, prod, len, abs of integers and lists (flattened).
    case aggregate(Aggregate, [(node: Node, type: ValueType)], position: Int)
    /// sum(i = a..b, body) and the like: `slot` runs from `from` to `to`, both included.
    case indexed(Aggregate, slot: Int, from: Node, to: Node, body: Node, position: Int)
}

/// Named formulas that other formulas use: `--define istar = max(i = 1..L-1, if M[i] == q then i else 0)`.
public struct FormulaDefinitions: Sendable {
    struct Entry: Sendable {
        let name: String
        let text: String
        let root: Node
    }

    let entries: [Entry]

    public static let none = FormulaDefinitions(entries: [])

    init(entries: [Entry]) { self.entries = entries }

    /// Reads each "name = expression" in order; each may use the quantities and the names defined before it. `kind`
    /// is the networks they will be read for (nil: any).
    public init(parsing texts: [String], for kind: NetworkKind? = nil) throws(FormulaSyntaxError) {
        var entries: [Entry] = []
        for text in texts {
            guard let equals = text.firstIndex(of: "="),
                  text[text.index(after: equals)...].first != "=" else {
                throw FormulaSyntaxError("a definition reads name = expression, e.g. istar = max(i = 1..L-1, if M[i] == q then i else 0)",
                                         at: 0, in: text)
            }
            let nameText = text[..<equals]
            let name = String(nameText.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
            let namePosition = text.distance(from: text.startIndex, to: nameText.firstIndex { $0 != " " } ?? equals)
            guard !name.isEmpty, Self.isIdentifier(name) else {
                throw FormulaSyntaxError("'\(name)' is not a name: use letters, digits and _, starting with a letter",
                                         at: namePosition, in: text)
            }
            if let clash = Parser.reservedMeaning(name, kind: kind) ?? (entries.contains { $0.name == name } ? "defined already" : nil) {
                throw FormulaSyntaxError("'\(name)' cannot be defined: it is \(clash)", at: namePosition, in: text)
            }
            let offset = text.distance(from: text.startIndex, to: text.index(after: equals))
            var parser = Parser(text, definitions: FormulaDefinitions(entries: entries), kind: kind)
            let root = try parser.parseDefinitionBody(from: offset)
            entries.append(Entry(name: name, text: text, root: root))
        }
        self.entries = entries
    }

    public var names: [String] { entries.map(\.name) }

    static func isIdentifier(_ text: some StringProtocol) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}

/// One parsed formula: the relation it claims and the integer expression.
public struct Formula: Sendable, CustomStringConvertible {
    public let text: String
    public let relation: Relation
    let root: Node
    let definitions: FormulaDefinitions

    /// Reads a claim (`relation` allowed) or a bare integer expression, for the networks `kind` (nil: any; the
    /// names a network does not have are then errors of evaluation there).
    public init(parsing text: String, definitions: FormulaDefinitions = .none, for kind: NetworkKind? = nil) throws(FormulaSyntaxError) {
        var parser = Parser(text, definitions: definitions, kind: kind)
        (relation, root) = try parser.parseClaim()
        self.text = text
        self.definitions = definitions
    }

    /// The formula as written.
    public var description: String { text }
}

struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case number(Int), name(String), symbol(String), end
    }

    let kind: Kind
    let position: Int

    var text: String {
        switch kind {
        case .number(let n): String(n)
        case .name(let s), .symbol(let s): s
        case .end: "the end of the formula"
        }
    }
}

struct Parser {
    let source: String
    let definitions: FormulaDefinitions
    /// The networks the formula is read for; nil: any.
    let kind: NetworkKind?
    private var tokens: [Token] = []
    private var index = 0
    /// Names bound by `let` and indexed aggregates, innermost last, with their slots.
    private var scope: [(name: String, slot: Int)] = []
    private var slotCount = 0

    static let keywords: Set<String> = ["if", "then", "else", "let", "in", "and", "or", "not"]

    init(_ source: String, definitions: FormulaDefinitions, kind: NetworkKind? = nil) {
        self.source = source
        self.definitions = definitions
        self.kind = kind
    }

    /// Why `name` cannot be defined or bound, or nil when it is free. For dense networks the names of convolutional
    /// ones are free.
    static func reservedMeaning(_ name: String, kind: NetworkKind?) -> String? {
        if keywords.contains(name) { return "a keyword" }
        if let quantity = Quantity(rawValue: name), kind != .dense || !quantity.convolutionalOnly { return "a quantity of the network" }
        if ListName(rawValue: name) != nil { return "a list of the network" }
        if LayerList(rawValue: name) != nil && kind != .dense { return "a per-layer list of convolutional networks" }
        if Aggregate(rawValue: name) != nil { return "a function" }
        if name == "M" || Parser.widthIndex(name) != nil { return "a width (M[i])" }
        return nil
    }

    /// 3 for "M_3".
    static func widthIndex(_ name: String) -> Int? {
        guard name.hasPrefix("M_") else { return nil }
        return Int(name.dropFirst(2))
    }

    // MARK: Entry points

    mutating func parseClaim() throws(FormulaSyntaxError) -> (Relation, Node) {
        try tokenize(from: 0)
        var relation = Relation.equal
        if case .symbol(let s) = current.kind, ["==", "=", "<=", ">="].contains(s) {
            relation = s == "<=" ? .atMost : s == ">=" ? .atLeast : .equal
            index += 1
        }
        let root = try parseInteger(what: "a formula")
        try expectEnd()
        return (relation, root)
    }

    mutating func parseDefinitionBody(from offset: Int) throws(FormulaSyntaxError) -> Node {
        try tokenize(from: offset)
        let root = try parseInteger(what: "a definition")
        try expectEnd()
        return root
    }

    private mutating func parseInteger(what: String) throws(FormulaSyntaxError) -> Node {
        if current.kind == .end { throw error("\(what) is empty: write an integer expression such as q * (r + K - q)") }
        let start = current.position
        let (node, type) = try parseExpression()
        guard type == .integer else { throw FormulaSyntaxError("\(what) must be an integer; this is \(type.rawValue)", at: start, in: source) }
        return node
    }

    private mutating func expectEnd() throws(FormulaSyntaxError) {
        guard current.kind == .end else {
            throw error("unexpected '\(current.text)': an operator (+ - * / % ^), a comparison or the end was expected")
        }
    }

    // MARK: Tokens

    private var current: Token { tokens[index] }

    private func error(_ message: String) -> FormulaSyntaxError {
        FormulaSyntaxError(message, at: current.position, in: source)
    }

    private mutating func tokenize(from offset: Int) throws(FormulaSyntaxError) {
        let characters = Array(source)
        var i = offset
        while i < characters.count {
            let c = characters[i]
            if c == " " || c == "\t" || c == "\n" { i += 1; continue }
            if c.isASCII && c.isNumber {
                var j = i
                var value = 0
                while j < characters.count, characters[j].isASCII, let digit = characters[j].wholeNumberValue {
                    let (times, o1) = value.multipliedReportingOverflow(by: 10)
                    let (plus, o2) = times.addingReportingOverflow(digit)
                    guard !o1 && !o2 else { throw FormulaSyntaxError("the number is too large for a 64-bit integer", at: i, in: source) }
                    value = plus
                    j += 1
                }
                tokens.append(Token(kind: .number(value), position: i))
                i = j
            } else if c.isASCII && (c.isLetter || c == "_") {
                var j = i
                while j < characters.count, characters[j].isASCII, characters[j].isLetter || characters[j].isNumber || characters[j] == "_" { j += 1 }
                tokens.append(Token(kind: .name(String(characters[i..<j])), position: i))
                i = j
            } else {
                let two = i + 1 < characters.count ? String(characters[i...i + 1]) : ""
                if ["==", "!=", "<=", ">=", ".."].contains(two) {
                    tokens.append(Token(kind: .symbol(two), position: i))
                    i += 2
                } else if "+-*/%^()[],<>=".contains(c) {
                    tokens.append(Token(kind: .symbol(String(c)), position: i))
                    i += 1
                } else {
                    throw FormulaSyntaxError("'\(c)' is not part of the formula language (operators: + - * / % ^, comparisons, and, or, not)",
                                             at: i, in: source)
                }
            }
        }
        tokens.append(Token(kind: .end, position: characters.count))
    }

    private mutating func accept(_ symbol: String) -> Bool {
        if case .symbol(symbol) = current.kind { index += 1; return true }
        return false
    }

    private mutating func acceptKeyword(_ keyword: String) -> Bool {
        if case .name(keyword) = current.kind { index += 1; return true }
        return false
    }

    private mutating func expect(_ symbol: String, _ purpose: String) throws(FormulaSyntaxError) {
        guard accept(symbol) else { throw error("expected '\(symbol)' \(purpose); found '\(current.text)'") }
    }

    private mutating func expectKeyword(_ keyword: String, _ purpose: String) throws(FormulaSyntaxError) {
        guard acceptKeyword(keyword) else { throw error("expected '\(keyword)' \(purpose); found '\(current.text)'") }
    }

    private func typeError(_ position: Int, _ needed: ValueType, _ got: ValueType, _ context: String) -> FormulaSyntaxError {
        let hint = got == .list ? " (a list such as hidden goes inside sum, prod, min, max or len)"
            : got == .condition ? " (a condition goes after if, and, or, not)" : ""
        return FormulaSyntaxError("\(context) needs \(needed.rawValue); this is \(got.rawValue)\(hint)", at: position, in: source)
    }

    private mutating func operand(_ needed: ValueType, _ context: String,
                                  _ parse: (inout Parser) throws(FormulaSyntaxError) -> (Node, ValueType)) throws(FormulaSyntaxError) -> Node {
        let position = current.position
        let (node, type) = try parse(&self)
        guard type == needed else { throw typeError(position, needed, type, context) }
        return node
    }

    // MARK: Grammar

    private mutating func parseExpression() throws(FormulaSyntaxError) -> (Node, ValueType) {
        if acceptKeyword("if") {
            let condition = try operand(.condition, "'if'") { p throws(FormulaSyntaxError) in try p.parseExpression() }
            try expectKeyword("then", "after the condition of 'if'")
            let thenPosition = current.position
            let (thenNode, thenType) = try parseExpression()
            try expectKeyword("else", "after the 'then' branch ('if' needs both branches)")
            let elsePosition = current.position
            let (elseNode, elseType) = try parseExpression()
            guard thenType == elseType, thenType != .list else {
                throw typeError(thenType == .list ? thenPosition : elsePosition, thenType == .list ? .integer : thenType,
                                thenType == .list ? thenType : elseType, "a branch of 'if'")
            }
            return (.conditional(condition, then: thenNode, else: elseNode), thenType)
        }
        if acceptKeyword("let") {
            let name = try bindableName("after 'let'")
            try expect("=", "after the name of 'let'")
            let value = try operand(.integer, "the value of 'let'") { p throws(FormulaSyntaxError) in try p.parseExpression() }
            try expectKeyword("in", "after the value of 'let' (let x = ... in ...)")
            let slot = bind(name)
            defer { scope.removeLast() }
            let (body, type) = try parseExpression()
            return (.bind(slot: slot, value: value, body: body), type)
        }
        return try parseOr()
    }

    private mutating func bindableName(_ purpose: String) throws(FormulaSyntaxError) -> String {
        guard case .name(let name) = current.kind else { throw error("expected a name \(purpose); found '\(current.text)'") }
        if let meaning = Self.reservedMeaning(name, kind: kind) ?? (definitions.names.contains(name) ? "a definition" : nil) {
            throw error("'\(name)' cannot name a variable: it is \(meaning)")
        }
        index += 1
        return name
    }

    private mutating func bind(_ name: String) -> Int {
        let slot = slotCount
        slotCount += 1
        scope.append((name, slot))
        return slot
    }

    private mutating func parseOr() throws(FormulaSyntaxError) -> (Node, ValueType) {
        var (node, type) = try parseAnd()
        while case .name("or") = current.kind {
            let position = current.position
            guard type == .condition else { throw typeError(position, .condition, type, "'or'") }
            index += 1
            let right = try operand(.condition, "'or'") { p throws(FormulaSyntaxError) in try p.parseAnd() }
            node = .binary(.or, node, right, position: position)
            type = .condition
        }
        return (node, type)
    }

    private mutating func parseAnd() throws(FormulaSyntaxError) -> (Node, ValueType) {
        var (node, type) = try parseNot()
        while case .name("and") = current.kind {
            let position = current.position
            guard type == .condition else { throw typeError(position, .condition, type, "'and'") }
            index += 1
            let right = try operand(.condition, "'and'") { p throws(FormulaSyntaxError) in try p.parseNot() }
            node = .binary(.and, node, right, position: position)
            type = .condition
        }
        return (node, type)
    }

    private mutating func parseNot() throws(FormulaSyntaxError) -> (Node, ValueType) {
        if acceptKeyword("not") {
            return (.not(try operand(.condition, "'not'") { p throws(FormulaSyntaxError) in try p.parseNot() }), .condition)
        }
        return try parseComparison()
    }

    private static let comparisons: [String: BinaryOperator] = [
        "==": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
    ]

    private mutating func parseComparison() throws(FormulaSyntaxError) -> (Node, ValueType) {
        let leftPosition = current.position
        let (left, leftType) = try parseSum()
        guard case .symbol(let s) = current.kind, let op = Self.comparisons[s] else { return (left, leftType) }
        let position = current.position
        guard leftType == .integer else { throw typeError(leftPosition, .integer, leftType, "'\(s)'") }
        index += 1
        let right = try operand(.integer, "'\(s)'") { p throws(FormulaSyntaxError) in try p.parseSum() }
        if case .symbol(let next) = current.kind, Self.comparisons[next] != nil {
            throw error("comparisons do not chain: write a \(s) b and b \(next) c")
        }
        return (.binary(op, left, right, position: position), .condition)
    }

    private mutating func parseSum() throws(FormulaSyntaxError) -> (Node, ValueType) {
        let firstPosition = current.position
        var (node, type) = try parseProduct()
        while case .symbol(let s) = current.kind, s == "+" || s == "-" {
            let position = current.position
            guard type == .integer else { throw typeError(firstPosition, .integer, type, "'\(s)'") }
            index += 1
            let right = try operand(.integer, "'\(s)'") { p throws(FormulaSyntaxError) in try p.parseProduct() }
            node = .binary(s == "+" ? .add : .subtract, node, right, position: position)
        }
        return (node, type)
    }

    private mutating func parseProduct() throws(FormulaSyntaxError) -> (Node, ValueType) {
        let firstPosition = current.position
        var (node, type) = try parseUnary()
        while case .symbol(let s) = current.kind, s == "*" || s == "/" || s == "%" {
            let position = current.position
            guard type == .integer else { throw typeError(firstPosition, .integer, type, "'\(s)'") }
            index += 1
            let right = try operand(.integer, "'\(s)'") { p throws(FormulaSyntaxError) in try p.parseUnary() }
            node = .binary(BinaryOperator(rawValue: s)!, node, right, position: position)
        }
        return (node, type)
    }

    private mutating func parseUnary() throws(FormulaSyntaxError) -> (Node, ValueType) {
        if case .symbol("-") = current.kind {
            let position = current.position
            index += 1
            return (.negate(try operand(.integer, "'-'") { p throws(FormulaSyntaxError) in try p.parseUnary() }, position: position), .integer)
        }
        return try parsePower()
    }

    private mutating func parsePower() throws(FormulaSyntaxError) -> (Node, ValueType) {
        let basePosition = current.position
        let (base, type) = try parseAtom()
        guard case .symbol("^") = current.kind else { return (base, type) }
        let position = current.position
        guard type == .integer else { throw typeError(basePosition, .integer, type, "'^'") }
        index += 1
        let exponent = try operand(.integer, "'^'") { p throws(FormulaSyntaxError) in try p.parseUnary() }
        return (.binary(.power, base, exponent, position: position), .integer)
    }

    private mutating func parseAtom() throws(FormulaSyntaxError) -> (Node, ValueType) {
        let token = current
        switch token.kind {
        case .number(let n):
            index += 1
            return (.number(n), .integer)
        case .symbol("("):
            index += 1
            let inner = try parseExpression()
            try expect(")", "to close the '(' at character \(token.position + 1)")
            return inner
        case .name(let name):
            if Self.keywords.contains(name) {
                throw error("'\(name)' cannot start an operand here (if ... then ... else needs parentheses inside arithmetic: 2 * (if L == 1 then 0 else q))")
            }
            index += 1
            return try parseName(name, at: token.position)
        case .end:
            throw error("the formula ends where an operand was expected")
        case .symbol(let s):
            throw error("'\(s)' cannot start an operand; expected a number, a name, '(' or a function")
        }
    }

    private mutating func parseName(_ name: String, at position: Int) throws(FormulaSyntaxError) -> (Node, ValueType) {
        if let bound = scope.last(where: { $0.name == name }) { return (.variable(slot: bound.slot), .integer) }
        if let k = definitions.entries.firstIndex(where: { $0.name == name }) { return (.definition(index: k), .integer) }
        let convolutional = Quantity(rawValue: name)?.convolutionalOnly ?? (LayerList(rawValue: name) != nil)
        if convolutional && kind == .dense {
            throw FormulaSyntaxError("'\(name)' is a quantity of convolutional networks, and these formulas are read for dense "
                                     + "networks (a grid of CNNs is given by --input and --layers)", at: position, in: source)
        }
        if let quantity = Quantity(rawValue: name) { return (.quantity(quantity, position: position), .integer) }
        if let list = ListName(rawValue: name) { return (.list(list), .list) }
        if let list = LayerList(rawValue: name) {
            guard accept("[") else { return (.layerList(list, position: position), .list) }
            let i = try operand(.integer, "an index of \(name)") { p throws(FormulaSyntaxError) in try p.parseExpression() }
            try expect("]", "to close \(name)[")
            return (.layer(list, i, position: position), .integer)
        }
        if let i = Self.widthIndex(name) { return (.width(.number(i), position: position), .integer) }
        if name == "M" {
            try expect("[", "after M (a width is M[i], with M[0] = d and M[L] = K)")
            let i = try operand(.integer, "an index of M") { p throws(FormulaSyntaxError) in try p.parseExpression() }
            try expect("]", "to close M[")
            return (.width(i, position: position), .integer)
        }
        if let aggregate = Aggregate(rawValue: name) { return try parseCall(aggregate, at: position) }
        let convolutionalNames = kind == .convolutional
            ? Quantity.allCases.filter(\.convolutionalOnly).map(\.rawValue) + LayerList.allCases.map { "\($0.rawValue)[i]" } : []
        let known = Quantity.allCases.filter { !$0.convolutionalOnly }.map(\.rawValue) + ListName.allCases.map(\.rawValue)
            + ["M[i]", "M_1"] + convolutionalNames + definitions.names + scope.map(\.name)
        throw FormulaSyntaxError("unknown name '\(name)'; known: \(known.joined(separator: ", ")) and the functions "
                                 + Aggregate.allCases.map(\.rawValue).joined(separator: ", "), at: position, in: source)
    }

    private mutating func parseCall(_ aggregate: Aggregate, at position: Int) throws(FormulaSyntaxError) -> (Node, ValueType) {
        try expect("(", "after \(aggregate.rawValue)")
        // The indexed form: name = from .. to, body.
        if case .name = current.kind, case .symbol("=") = tokens[index + 1].kind {
            guard aggregate != .len && aggregate != .abs else {
                throw error("\(aggregate.rawValue) takes no index range; sum, prod, min and max do")
            }
            let variable = try bindableName("to run over a range")
            index += 1
            let from = try operand(.integer, "the start of a range") { p throws(FormulaSyntaxError) in try p.parseSum() }
            try expect("..", "between the ends of the range (i = 1..L-1)")
            let to = try operand(.integer, "the end of a range") { p throws(FormulaSyntaxError) in try p.parseSum() }
            try expect(",", "after the range, before the expression it runs over (sum(i = 1..L-1, M[i]))")
            let slot = bind(variable)
            defer { scope.removeLast() }
            let body = try operand(.integer, "the body of \(aggregate.rawValue)") { p throws(FormulaSyntaxError) in try p.parseExpression() }
            try expect(")", "to close \(aggregate.rawValue)(")
            return (.indexed(aggregate, slot: slot, from: from, to: to, body: body, position: position), .integer)
        }
        var arguments: [(node: Node, type: ValueType)] = []
        if !accept(")") {
            repeat {
                let argumentPosition = current.position
                let (node, type) = try parseExpression()
                guard type != .condition else { throw typeError(argumentPosition, .integer, type, "an argument of \(aggregate.rawValue)") }
                arguments.append((node, type))
            } while accept(",")
            try expect(")", "to close \(aggregate.rawValue)(")
        }
        if aggregate == .abs && (arguments.count != 1 || arguments[0].type != .integer) {
            throw FormulaSyntaxError("abs takes one integer", at: position, in: source)
        }
        if aggregate == .len && (arguments.count != 1 || arguments[0].type != .list) {
            throw FormulaSyntaxError("len takes one list (hidden or widths)", at: position, in: source)
        }
        if arguments.isEmpty && (aggregate == .min || aggregate == .max) {
            throw FormulaSyntaxError("\(aggregate.rawValue) of nothing: give integers or lists", at: position, in: source)
        }
        return (.aggregate(aggregate, arguments, position: position), .integer)
    }
}
