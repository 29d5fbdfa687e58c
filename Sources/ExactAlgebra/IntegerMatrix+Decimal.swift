// Exact entries as decimal strings: the form fixtures, certificates and JSON use, with no size limit.
internal import CFLINT

extension IntegerMatrix {
    /// Entry (i, j) in base 10, exactly (`fmpz_get_str`).
    public func decimal(_ i: Int, _ j: Int) -> String {
        guard let chars = fmpz_get_str(nil, 10, entryPointer(i, j)) else { preconditionFailure("fmpz_get_str: out of memory") }
        defer { flint_free(chars) }
        return String(cString: chars)
    }

    /// All entries as rows of decimal strings.
    public var decimalRows: [[String]] {
        (0..<rowCount).map { i in (0..<columnCount).map { j in decimal(i, j) } }
    }

    /// Whether `text` is an optional minus sign followed by decimal digits and nothing else.
    public static func isDecimalInteger(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A matrix from rows of decimal strings; `nil` when a string is not a decimal integer or the rows are ragged.
    public init?(decimalRows rows: [[String]]) {
        let columns = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == columns }) else { return nil }
        self.init(rows: rows.count, columns: columns)
        for (i, row) in rows.enumerated() {
            for (j, text) in row.enumerated() {
                guard Self.isDecimalInteger(text) else { return nil }
                guard fmpz_set_str(entryPointer(i, j), text, 10) == 0 else { return nil }
            }
        }
    }
}
