import RankFormulas
import Testing

/// The formula language: values by hand, every syntax error with its position, every evaluation error, and the
/// built-in texts against the Swift closed forms they replaced (kept here as an independent reference).
@Suite struct FormulaLanguageTests {
    /// 6,2,5,3 with r = 4, rank [X, 1] = 5, rank Omega = 2, N = 9: p = 12 + 10 + 15 = 37, s = 3, q = 2.
    let network = NetworkQuantities(widths: [6, 2, 5, 3], samples: 9, parameterCount: 37, dataRank: 4,
                                    augmentedDataRank: 5, residualRank: 2)

    func value(_ text: String, _ definitions: [String] = []) throws -> Int {
        try Formula(parsing: text, definitions: FormulaDefinitions(parsing: definitions)).value(network)
    }

    @Test(arguments: [
        ("d + K + N + L + p", 6 + 3 + 9 + 3 + 37),
        ("r * 100 + s * 10 + q", 432),
        ("rtilde * 100 + stilde * 10 + qtilde", 532),
        ("omega + bias + Keff", 2 + 0 + 3),
        ("M[0] + M_1 * 10 + M[L] * 100", 6 + 20 + 300),
        ("sum(hidden) * 100 + prod(widths)", 700 + 180),
        ("min(r, K, hidden) + max(widths) * 10 + len(hidden) * 100", 2 + 60 + 200),
        ("2 + 3 * 4 ^ 2", 50),
        ("2 ^ 3 ^ 2", 512),
        ("-2 ^ 2 + 10 - 3 - 2", -4 + 5),
        ("(7 - 10) % 2 + 12 / 4", -1 + 3),
        ("abs(3 - 10)", 7),
        ("if L == 1 then 0 else if r > K and not (q == s) then 1 else 2", 1),
        ("let t = q * q in t + t", 8),
        ("sum(i = 1..L, M[i])", 10),
        ("prod(i = 1..L-1, M[i] + 1) + sum(i = 3..2, 1000)", 18),
        ("max(i = 0..L, if M[i] == 5 then i else 0)", 2),
        ("min(i = 1..2, let x = M[i] in x * x)", 4),
        ("<= 2*q*sum(hidden)", 28),
    ])
    func valuesByHand(text: String, expected: Int) throws {
        #expect(try value(text) == expected)
    }

    @Test func relations() throws {
        #expect(try Formula(parsing: "q").relation == .equal)
        #expect(try Formula(parsing: "== q").relation == .equal)
        #expect(try Formula(parsing: "= q").relation == .equal)
        #expect(try Formula(parsing: "<= q").relation == .atMost)
        #expect(try Formula(parsing: ">=q").relation == .atLeast)
        #expect(Relation.equal.outcome(rank: 5, value: 5) == .equal)
        #expect(Relation.equal.outcome(rank: 6, value: 5) == .above)
        #expect(Relation.equal.outcome(rank: 4, value: 5) == .below)
        #expect(Relation.atMost.outcome(rank: 4, value: 5) == .withinBound)
        #expect(Relation.atMost.outcome(rank: 6, value: 5) == .above)
        #expect(Relation.atLeast.outcome(rank: 6, value: 5) == .withinBound)
        #expect(Relation.atLeast.outcome(rank: 4, value: 5) == .below)
    }

    /// Definitions: each sees the earlier ones, is evaluated only when used, and once.
    @Test func definitions() throws {
        #expect(try value("2 * istar + z", ["istar = max(i = 1..L-1, if M[i] == q then i else 0)", "z = istar * 10"]) == 12)
        // At L = 1 istar would range over nothing; the guard keeps it unevaluated.
        let oneLayer = NetworkQuantities(widths: [3, 2], dataRank: 3)
        let guarded = try Formula(parsing: "if L == 1 then 7 else istar",
                                  definitions: FormulaDefinitions(parsing: ["istar = max(i = 1..L-1, i)"]))
        #expect(try guarded.value(oneLayer) == 7)
        // Short-circuit: M[2] does not exist at L = 1.
        #expect(try Formula(parsing: "if L == 1 or M[2] == 3 then 1 else 0").value(oneLayer) == 1)
    }

    /// Every syntax error, with its message and position (1-based character, as printed).
    @Test(arguments: [
        ("q * (r + K - q", 15, "expected ')' to close the '(' at character 5; found 'the end of the formula'"),
        ("q +", 4, "the formula ends where an operand was expected"),
        ("", 1, "a formula is empty: write an integer expression such as q * (r + K - q)"),
        ("q ** 2", 4, "'*' cannot start an operand; expected a number, a name, '(' or a function"),
        ("rank", 1, "unknown name 'rank'; known: d, K, N, L, p, r, s, q, rtilde, stilde, qtilde, omega, bias, Keff, hidden, widths, M[i], M_1 and the functions min, max, sum, prod, len, abs"),
        ("if r then 1 else 2", 4, "'if' needs a condition; this is an integer"),
        ("hidden + 1", 1, "'+' needs an integer; this is a list (a list such as hidden goes inside sum, prod, min, max or len)"),
        ("q < r", 1, "a formula must be an integer; this is a condition"),
        ("1 < 2 < 3", 7, "comparisons do not chain: write a < b and b < c"),
        ("if L == 1 then 0", 17, "expected 'else' after the 'then' branch ('if' needs both branches); found 'the end of the formula'"),
        ("2 * if L == 1 then 0 else 1", 5, "'if' cannot start an operand here (if ... then ... else needs parentheses inside arithmetic: 2 * (if L == 1 then 0 else q))"),
        ("q # 2", 3, "'#' is not part of the formula language (operators: + - * / % ^, comparisons, and, or, not)"),
        ("sum(i = 1..L, M[i]", 19, "expected ')' to close sum(; found 'the end of the formula'"),
        ("sum(i = 1, M[i])", 10, "expected '..' between the ends of the range (i = 1..L-1); found ','"),
        ("sum(q = 1..L, q)", 5, "'q' cannot name a variable: it is a quantity of the network"),
        ("len(3)", 1, "len takes one list (hidden or widths)"),
        ("min()", 1, "min of nothing: give integers or lists"),
        ("M 2", 3, "expected '[' after M (a width is M[i], with M[0] = d and M[L] = K); found '2'"),
        ("q 2", 3, "unexpected '2': an operator (+ - * / % ^), a comparison or the end was expected"),
        ("99999999999999999999", 1, "the number is too large for a 64-bit integer"),
    ])
    func syntaxErrors(text: String, column: Int, message: String) {
        #expect(throws: FormulaSyntaxError(message, at: column - 1, in: text)) { try Formula(parsing: text) }
    }

    @Test func syntaxErrorShowsACaret() {
        let error = FormulaSyntaxError("x", at: 4, in: "q * (r")
        #expect(error.description == "at character 5: x\n    q * (r\n        ^")
    }

    @Test(arguments: [
        ("istar = ", "a definition is empty: write an integer expression such as q * (r + K - q)", 8),
        ("q = 1", "'q' cannot be defined: it is a quantity of the network", 0),
        ("2x = 1", "'2x' is not a name: use letters, digits and _, starting with a letter", 0),
        ("just text", "a definition reads name = expression, e.g. istar = max(i = 1..L-1, if M[i] == q then i else 0)", 0),
    ])
    func definitionErrors(text: String, message: String, position: Int) {
        #expect(throws: FormulaSyntaxError(message, at: position, in: text)) { try FormulaDefinitions(parsing: [text]) }
    }

    @Test(arguments: [
        ("K / 2", "3 / 2 leaves a remainder (1): / is exact division; write (a - a % b) / b to round down", 2),
        ("K / (r - 4)", "3 / 0: division by zero", 2),
        ("M[L + 1]", "M[4] does not exist: widths run from M[0] = d to M[L] = M[3] = K", 0),
        ("2 ^ 63", "2 ^ 63 overflows a 64-bit integer", 2),
        ("2 ^ -1", "2 ^ -1: the exponent must be >= 0", 2),
        ("max(i = 3..1, i)", "max over nothing (an empty list or range)", 0),
    ])
    func evaluationErrors(text: String, message: String, position: Int) {
        #expect(throws: FormulaEvaluationError(message: message, position: position, source: text)) { try value(text) }
    }

    @Test func missingQuantities() throws {
        let relu = NetworkQuantities(widths: [3, 2], dataRank: 3)
        #expect(throws: FormulaEvaluationError(message: "omega (rank Omega, defined for linear networks) is not known for this network",
                                               position: 0, source: "omega")) { try Formula(parsing: "omega").value(relu) }
        #expect(throws: FormulaEvaluationError(message: "qtilde (rank [X, 1]) is not known for this network",
                                               position: 4, source: "1 + qtilde")) { try Formula(parsing: "1 + qtilde").value(relu) }
    }

    /// What a formula reads, through its definitions (the checker computes rank Omega only when it is read).
    @Test func readsQuantities() throws {
        let definitions = try FormulaDefinitions(parsing: ["t = omega + 1", "u = r"])
        #expect(try Formula(parsing: "if L == 1 then t else 0", definitions: definitions).reads("omega"))
        #expect(!(try Formula(parsing: "u * K", definitions: definitions).reads("omega")))
        #expect(try Formula(parsing: "sum(i = 1..L, M[i] * omega)").reads("omega"))
        #expect(!(try Formula(parsing: "q").reads("no such quantity")))
        #expect(BuiltInConjectures.nonGenericResidual.reads("omega") && !BuiltInConjectures.paper.reads("omega"))
    }

    /// Large exponents of 0, 1 and -1 are answered without looping.
    @Test func powersOfSmallBases() throws {
        #expect(try value("(0 - 1) ^ 999999999999") == -1)
        #expect(try value("1 ^ 999999999999 + 0 ^ 999999999999 + 0 ^ 0") == 2)
    }

    /// The built-in texts equal the Swift closed forms that stated them before the language existed (transcribed from
    /// proofs/statements/), on every network with widths 1...4, L <= 3 and every data rank (and both r~).
    @Test func builtInTextsEqualTheClosedForms() {
        var checked = 0
        for depth in 1...3 {
            for widths in allWidths(count: depth + 1, range: 1...4) {
                let hidden = widths.dropFirst().dropLast(), k = widths.last!, hiddenSum = hidden.reduce(0, +)
                for r in 0...widths[0] {
                    let s = min(r, k), q = min(s, hidden.min() ?? s)
                    let f = LinearNetworkFormulas(widths: widths, dataRank: r)
                    #expect(f.outer.value == q * (r + k - q))
                    #expect(f.functional.value == (depth == 1 ? 0 : 2 * q * hiddenSum + 2 * q * s - depth * q * q))
                    #expect(f.loss.value == (depth == 1 ? r * k : q * (r + k) + 2 * q * hiddenSum - depth * q * q))
                    for sPrime in 0...s {
                        let qPrime = min(sPrime, hidden.min() ?? sPrime)
                        let variant = f.nonGenericResidual(residualRank: sPrime)
                        let functional = depth == 1 ? 0 : 2 * qPrime * hiddenSum + 2 * qPrime * sPrime - depth * qPrime * qPrime
                        #expect(variant.functional.value == functional)
                        #expect(variant.loss.value == (depth == 1 ? f.outer.value : f.outer.value + functional - qPrime * (2 * sPrime - qPrime)))
                    }
                    for rTilde in [r, r + 1] {
                        let c = BiasNetworkConjecture(widths: widths, dataRank: r, augmentedDataRank: rTilde)
                        let qt = min(rTilde, k, hidden.min() ?? .max), st = min(rTilde, k)
                        let outer = q * (r + k - q) + (rTilde == r + 1 ? k : q < r ? k - q : 0)
                        var functional = depth == 1 ? 0 : 2 * qt * hiddenSum + 2 * qt * st - depth * qt * qt + (depth - 2) * qt
                        if depth > 1, qt < min(rTilde, k), let star = hidden.lastIndex(of: qt) {
                            functional += 2 * hidden[(star + 1)...].reduce(0) { $0 + ($1 - qt) }
                        }
                        #expect(c.outer.value == outer)
                        #expect(c.functional.value == functional)
                        #expect(c.loss.value == (depth == 1 ? rTilde * k : outer + functional - qt * (2 * st - qt - 1)))
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 1000)
    }

    /// The paper's formulas read for cross-entropy (Keff = K - 1) are its MSE formulas on the network with K - 1
    /// outputs, and with Keff = K they are the MSE formulas themselves.
    @Test func paperUnderLossIsTheKMinusOneReading() throws {
        for depth in 1...3 {
            for widths in allWidths(count: depth + 1, range: 1...4) where widths.last! >= 2 {
                for r in 0...widths[0] {
                    let k = widths.last!
                    let reduced = LinearNetworkFormulas(widths: Array(widths.dropLast()) + [k - 1], dataRank: r)
                    let own = LinearNetworkFormulas(widths: widths, dataRank: r)
                    func quantities(_ keff: Int) -> NetworkQuantities {
                        NetworkQuantities(widths: widths, samples: 1, parameterCount: own.parameterCount, dataRank: r,
                                          effectiveOutputs: keff)
                    }
                    let c = BuiltInConjectures.paperUnderLoss
                    #expect(try c.value(.outer, quantities(k - 1)) == reduced.outer.value)
                    #expect(try c.value(.functional, quantities(k - 1)) == reduced.functional.value)
                    #expect(try c.value(.loss, quantities(k - 1)) == reduced.loss.value)
                    #expect(try [c.value(.outer, quantities(k)), c.value(.functional, quantities(k)), c.value(.loss, quantities(k))]
                            == [own.outer.value, own.functional.value, own.loss.value])
                }
            }
        }
    }

    func allWidths(count: Int, range: ClosedRange<Int>) -> [[Int]] {
        count == 0 ? [[]] : allWidths(count: count - 1, range: range).flatMap { prefix in range.map { prefix + [$0] } }
    }
}
