// Random header dicts with at most one defect each, and what the reader must make of them, known by construction:
// the array (values from the drawn data bytes), or a refusal whose reason contains a phrase that names the defect.
// The text varies as Python lets it (whitespace between tokens, either quote, key order, trailing commas), so that a
// valid dict is accepted however it is spelled.
import NPYFormat
import PropertyBased

struct DictCase: CustomStringConvertible {
    enum Expected {
        case array(NPYHeader.DType, [Int])
        case refused(String)
    }

    let dict: String
    let version: UInt8
    let data: [UInt8]
    let expected: Expected

    var bytes: [UInt8] { TestWriter.file(dict: dict, version: version, data: data) }
    var description: String { "version \(version).0, \(dict.debugDescription), \(data.count) data bytes" }

    enum Defect: CaseIterable {
        case none, zeroDimension, duplicateKey, unknownKey, missingKey, unsupportedDescr, bigEndianDescr, structuredDescr,
             unquotedDescr, fortranTrue, malformedFortran, negativeEntry, nonDecimalEntry, notATuple, tooManyDimensions,
             entryBeyondInt, byteCountOverflow, hugeShape, shortData, longData, textAfterDict
    }

    static let generator = Generator<DictCase, Shrink.None<DictCase>> { rng in
        make(Defect.allCases.randomElement(using: &rng)!, using: &rng)
    }

    static func make(_ defect: Defect, using rng: inout any SeededRandomNumberGenerator) -> DictCase {
        func pick<T>(_ options: [T]) -> T { options.randomElement(using: &rng)! }
        func space() -> String { pick(["", "", " ", " ", "  ", "\t", "\n", " \n  "]) }
        func quoted(_ text: String) -> String { let q = pick(["'", "\""]); return q + text + q }
        /// A tuple as Python may spell it; one entry needs its comma, more may have a trailing one.
        func tuple(_ items: [String]) -> String {
            let trailing = items.count == 1 || (!items.isEmpty && Bool.random(using: &rng)) ? "," + space() : ""
            return "(" + space() + items.map { $0 + space() }.joined(separator: "," + space()) + trailing + ")"
        }
        /// Entries 2^a with the exponents summing to `total` (the shape's element count is 2^total).
        func powersOfTwo(total: Int) -> [String] {
            var left = total, items: [String] = []
            while left > 0 {
                let a = left <= 40 ? left : Int.random(in: 20...40, using: &rng)
                items.append(String(1 << a))
                left -= a
            }
            return items
        }

        let version = UInt8.random(in: 1...3, using: &rng)
        let dtype = pick(NPYHeader.DType.allCases)
        var shape = (0..<Int.random(in: 0...3, using: &rng)).map { _ in Int.random(in: 1...4, using: &rng) }
        var entries = [(key: "descr", value: quoted(dtype.rawValue)),
                       (key: "fortran_order", value: "False"),
                       (key: "shape", value: "")]
        var shapeItems = shape.map(String.init)
        if version <= 2 && Int.random(in: 0..<8, using: &rng) == 0 { shapeItems = shapeItems.map { $0 + "L" } }   // Python 2's long
        var dataCount = shape.reduce(1, *) * dtype.itemSize
        var expected = Expected.array(dtype, shape)
        var afterDict = ""

        switch defect {
        case .none: break
        case .zeroDimension:
            // Valid: no elements, however large the other dimensions (numpy bounds them by 2^63 bytes).
            shape = [1 << Int.random(in: 20...40, using: &rng), 0] + shape
            shapeItems = shape.map(String.init)
            (dataCount, expected) = (0, .array(dtype, shape))
        case .duplicateKey:
            let entry = pick(entries)
            let copy = entry.key == "shape" ? (entry.key, tuple(shapeItems)) : entry
            entries.insert(copy, at: Int.random(in: 0...entries.count, using: &rng))
            expected = .refused("repeats the key '\(entry.key)'")
        case .unknownKey:
            entries.insert((pick(["order", "Shape", "descr ", "", "dtype", "fortran"]), pick(["1", "False", "'<f8'", "(1,)"])),
                           at: Int.random(in: 0...entries.count, using: &rng))
            expected = .refused("unknown key")
        case .missingKey:
            let index = Int.random(in: 0..<entries.count, using: &rng)
            expected = .refused("has no '\(entries[index].key)'")
            entries.remove(at: index)
        case .unsupportedDescr:
            entries[0].value = quoted(pick(["<f2", "|u1", "<c16", "<U3", "|b1", "f8", "<i4", "<u8", "=f8", "", "<f8 "]))
            expected = .refused("unsupported dtype")
        case .bigEndianDescr:
            entries[0].value = quoted(pick([">f8", ">f4", ">i8"]))
            expected = .refused("big-endian")
        case .structuredDescr:
            entries[0].value = "[" + space() + tuple([quoted("a"), quoted(dtype.rawValue)]) + space() + "]"
            expected = .refused("structured dtype")
        case .unquotedDescr:
            entries[0].value = pick(["f8", "8", "None", "(1,)", "float"])
            expected = .refused("malformed descr")
        case .fortranTrue:
            entries[1].value = "True"
            expected = .refused("Fortran order is not supported")
        case .malformedFortran:
            entries[1].value = pick(["0", "1", "None", "'False'", "false", "FALSE", "(False,)"])
            expected = .refused("malformed fortran_order")
        case .negativeEntry:
            shapeItems.insert("-\(Int.random(in: 1...5, using: &rng))", at: Int.random(in: 0...shapeItems.count, using: &rng))
            expected = .refused("is negative")
        case .nonDecimalEntry:
            let entries3 = ["0x3", "3.0", "1_0", "+3", "03", "True", "None", "3j", "1e3", "'3'", "-", "0b1"]
            shapeItems.insert(pick(version == 3 ? entries3 + ["3L"] : entries3),
                              at: Int.random(in: 0...shapeItems.count, using: &rng))
            expected = .refused("malformed shape")
        case .notATuple:
            let dims = shape.isEmpty ? ["3"] : shape.map(String.init)
            shapeItems = []
            entries[2].value = pick(["[" + dims.joined(separator: ", ") + "]", dims[0], "(" + dims[0] + ")", "None",
                                     tuple([tuple(dims)])])
            expected = .refused("malformed shape")
        case .tooManyDimensions:
            shapeItems = Array(repeating: "1", count: Int.random(in: 65...80, using: &rng))
            expected = .refused("dimensions, above numpy's limit of 64")
        case .entryBeyondInt:
            shapeItems.insert(pick(["9223372036854775808", "18446744073709551616", String(repeating: "9", count: 40)]),
                              at: Int.random(in: 0...shapeItems.count, using: &rng))
            expected = .refused("beyond any 64-bit count")
        case .byteCountOverflow:
            // 2^61 or more elements of 4 or 8 bytes: 2^63 bytes or more, whatever the order of the entries.
            shapeItems = powersOfTwo(total: Int.random(in: 61...120, using: &rng)).shuffled(using: &rng)
            dataCount = Int.random(in: 0...64, using: &rng)
            expected = .refused("needs 2^63 bytes or more")
        case .hugeShape:
            // Far more bytes than the file holds, yet a count that fits: refused before anything is allocated.
            shapeItems = powersOfTwo(total: Int.random(in: 12...58, using: &rng)).shuffled(using: &rng)
            dataCount = Int.random(in: 0...64, using: &rng)
            expected = .refused("truncated data")
        case .shortData:
            if dataCount == 0 {   // nothing to cut: one more byte than promised instead
                dataCount = 1
                expected = .refused("bytes after")
            } else {
                dataCount -= Int.random(in: 1...dataCount, using: &rng)
                expected = .refused("truncated data")
            }
        case .longData:
            dataCount += Int.random(in: 1...100, using: &rng)
            expected = .refused("bytes after")
        case .textAfterDict:
            afterDict = pick(["x", ",", "}", "#", "\t", "\n", "0", " {}"])
            expected = .refused("more than spaces between its dict and the final newline")
        }
        if entries.contains(where: { $0.key == "shape" && $0.value.isEmpty }) {
            entries = entries.map { $0.key == "shape" && $0.value.isEmpty ? ($0.key, tuple(shapeItems)) : $0 }
        }
        entries.shuffle(using: &rng)
        let body = entries.map { quoted($0.key) + space() + ":" + space() + $0.value }.joined(separator: space() + "," + space())
        let trailing = Bool.random(using: &rng) && !entries.isEmpty ? "," + space() : ""
        let dict = "{" + space() + body + space() + trailing + "}" + afterDict
        let data = (0..<dataCount).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return DictCase(dict: dict, version: version, data: data, expected: expected)
    }
}
