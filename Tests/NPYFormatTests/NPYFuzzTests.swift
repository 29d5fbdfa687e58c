// The reader on many bad inputs: each must be refused with a ReadError, or (when the change leaves a valid file)
// decode to the values known by construction; none may trap or allocate beyond the file (a trap or a huge
// allocation ends the test process, so each case running to its #expect is itself part of the check).
// Inputs come from fixed seeds (`seededCheck`), so every run checks the same cases: some 50,000 of them, in about two
// seconds of a debug build on two cores.
import Foundation
import NPYFormat
import PropertyBased
import Testing

@Suite struct NPYFuzzTests {
    /// Every proper prefix of a valid file is refused as truncated, and the whole file reads back.
    @Test func everyTruncationIsRefused() {
        seededCheck(seed: 1, count: 40, Sample.generator) { _, sample in
            let bytes = sample.bytes
            #expect(Outcome(bytes).array?.bits == sample.expectedBits, "\(sample)")
            for length in 0..<bytes.count {
                let reason = Outcome(Array(bytes.prefix(length))).reason
                #expect(reason?.hasPrefix("truncated") == true, "\(sample) cut to \(length) bytes: \(reason ?? "accepted")")
            }
        }
    }

    /// A byte changed in the data is read as that byte: the values are the changed data's words.
    @Test func dataByteChangesDecodeToTheChangedValues() {
        let input = zip(Sample.generator, Gen.int(in: 0...1_000_000), Gen<UInt8>.value(in: 1...255))
        var changed = 0
        seededCheck(seed: 2, count: 400, input) { _, input in
            let (sample, position, mask) = input
            guard !sample.data.isEmpty else { return }
            let offset = position % sample.data.count
            var bytes = sample.bytes, data = sample.data
            bytes[sample.dataOffset + offset] ^= mask
            data[offset] ^= mask
            let outcome = Outcome(bytes)
            #expect(outcome.array?.bits == littleEndianWords(data, width: sample.dtype.itemSize), "\(sample), byte \(offset) ^ \(mask): \(outcome)")
            #expect(outcome.array?.shape == sample.shape)
            changed += 1
        }
        #expect(changed > 300)
    }

    /// Every single-byte change anywhere in the header of one file (every position, every other byte value): refused
    /// with a reason, or read as the same shape and the same bits (a whitespace change inside the dict, or '<f8'
    /// turned into '<i8'). A misread header would give another shape or other bits.
    @Test func everyHeaderByteChangeIsRefusedOrHarmless() {
        let sample = Sample(dtype: .float64, shape: [2, 3], version: 1, data: (0..<48).map { UInt8($0 * 5 + 1) })
        let original = sample.bytes
        var accepted: Set<[UInt8]> = []
        for position in 0..<sample.dataOffset {
            for value in 0...255 where value != original[position] {
                var bytes = original
                bytes[position] = UInt8(value)
                switch Outcome(bytes) {
                case .refused(let reason): #expect(!reason.isEmpty)
                case .accepted(let array):
                    #expect(array.shape == sample.shape && array.dtype.itemSize == 8 && array.bits == sample.expectedBits,
                            "byte \(position) set to \(value): \(array.shape) \(array.dtype)")
                    accepted.insert(bytes)
                }
            }
        }
        // The harmless changes exist (so the check above is not vacuous) and are few.
        #expect(accepted.contains(TestWriter.file(dict: "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", data: sample.data)))
        #expect(accepted.contains(TestWriter.file(dict: "{'descr':\t'<f8', 'fortran_order': False, 'shape': (2, 3), }", data: sample.data)))
        #expect(accepted.contains(TestWriter.file(dict: "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)  }", data: sample.data)))
        #expect(accepted.count < 200, "\(accepted.count) accepted")
    }

    /// Random single-byte changes in the headers of random files (all versions and dtypes): the same rule.
    @Test func randomHeaderByteChangesAreRefusedOrHarmless() {
        let input = zip(Sample.generator, Gen.int(in: 0...1_000_000), Gen<UInt8>.value(in: 1...255))
        seededCheck(seed: 3, count: 2_000, input) { _, input in
            let (sample, position, mask) = input
            var bytes = sample.bytes
            bytes[position % sample.dataOffset] ^= mask
            let outcome = Outcome(bytes)
            if let array = outcome.array {
                #expect(array.shape == sample.shape && array.dtype.itemSize == sample.dtype.itemSize && array.bits == sample.expectedBits,
                        "\(sample), byte \(position % sample.dataOffset) ^ \(mask): \(outcome)")
            }
        }
    }

    /// Random dicts, each valid or with one defect: a valid one reads as constructed however it is spelled; a defective
    /// one is refused with a reason naming the defect.
    @Test func randomHeaderDictionaries() {
        var valid = 0
        seededCheck(seed: 4, count: 3_000, DictCase.generator) { _, test in
            let outcome = Outcome(test.bytes)
            switch test.expected {
            case .array(let dtype, let shape):
                valid += 1
                let array = outcome.array
                #expect(array?.shape == shape && array?.dtype == dtype && array?.bits == littleEndianWords(test.data, width: dtype.itemSize),
                        "\(test): \(outcome)")
            case .refused(let phrase):
                #expect(outcome.reason?.contains(phrase) == true, "\(test): expected '\(phrase)', \(outcome)")
            }
        }
        #expect(valid > 150)
    }

    /// Faults in the framing around the dict: magic, version, length field, newline, alignment, non-ASCII bytes, a
    /// header beyond numpy's size limit, bytes after the data.
    @Test func framingFaults() {
        let input = zip(Sample.generator, Gen<UInt8>.value(), Gen<UInt8>.value(), Gen.int(in: 1...1_000))
        seededCheck(seed: 5, count: 300, input) { _, input in
            let (sample, byte1, byte2, number) = input
            let good = sample.bytes, headerStart = sample.version == 1 ? 10 : 12
            func expectRefused(_ bytes: [UInt8], _ phrase: String, _ what: String) {
                let outcome = Outcome(bytes)
                #expect(outcome.reason?.contains(phrase) == true, "\(sample), \(what): \(outcome)")
            }
            var magic = good
            magic[number % 6] ^= max(byte1, 1)
            expectRefused(magic, "not an .npy file", "magic byte \(number % 6) changed")

            var version = good
            (version[6], version[7]) = (byte1, byte2)
            if !((1...3).contains(byte1) && byte2 == 0) {
                expectRefused(version, "unsupported .npy version \(byte1).\(byte2)", "version \(byte1).\(byte2)")
            }

            // Any other header length: the newline, the alignment, the dict or the data size no longer fit.
            var length = good
            let delta = (number % 2 == 0 ? 1 : -1) * (1 + number % 200)
            let trueLength = sample.dataOffset - headerStart
            let newLength = trueLength + delta
            if newLength >= 0 {
                length[8] = UInt8(truncatingIfNeeded: newLength)
                length[9] = UInt8(truncatingIfNeeded: newLength >> 8)
                #expect(Outcome(length).reason != nil, "\(sample), header length \(newLength) for \(trueLength)")
            }

            var newline = good
            newline[sample.dataOffset - 1] = 0x20
            expectRefused(newline, "does not end in a newline", "no newline")

            let misaligned = TestWriter.file(dict: sample.dict, version: sample.version, alignment: 8 * (1 + number % 2) - (number % 3 == 0 ? 3 : 0),
                                             data: sample.data)
            if (misaligned.count - sample.data.count) % 16 != 0 {
                expectRefused(misaligned, "misaligned .npy header", "aligned to fewer than 16 bytes")
            }

            var nonASCII = good
            let dictEnd = headerStart + sample.dict.utf8.count
            nonASCII[dictEnd + number % (sample.dataOffset - 1 - dictEnd)] = 0x80 | byte1
            expectRefused(nonASCII, "not ASCII", "a byte >= 0x80 in the padding")

            let padded = TestWriter.file(dict: sample.dict + String(repeating: " ", count: 10_000), version: max(sample.version, 2),
                                         data: sample.data)
            expectRefused(padded, "above numpy's limit of 10000", "a header of more than 10,000 bytes")

            expectRefused(good + (0..<number).map { UInt8(truncatingIfNeeded: $0 &* 37) }, "bytes after", "\(number) bytes after the data")
        }
    }

    /// Reading from a file gives what parsing its bytes gives; the header entry point refuses exactly what the reader
    /// refuses, with the same reason, and otherwise reports the array's shape and sizes.
    @Test func filesAgreeWithBytes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npy-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = zip(Sample.generator, DictCase.generator, Gen.int(in: 0...1_000_000), Gen<UInt8>.value(in: 1...255))
        try seededCheck(seed: 6, count: 40, input) { index, input in
            let (sample, dictCase, position, mask) = input
            var changed = sample.bytes
            changed[position % changed.count] ^= mask
            for (name, bytes) in [("sample", sample.bytes), ("changed", changed), ("cut", Array(sample.bytes.prefix(position % sample.bytes.count))),
                                  ("dict", dictCase.bytes)] {
                let path = directory.appendingPathComponent("\(index)-\(name).npy").path
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let parsed = Outcome(bytes)
                let read: Outcome
                do throws(NPY.ReadError) { read = .accepted(try NPY.read(contentsOf: path)) } catch { read = .refused(error.reason) }
                #expect(read.description == parsed.description, "\(name) \(sample)")
                do throws(NPY.ReadError) {
                    let header = try NPY.header(contentsOf: path)
                    #expect(parsed.array?.shape == header.shape && parsed.array?.dtype == header.dtype, "\(name) \(sample)")
                    #expect(header.elementCount == parsed.array?.bits.count && header.byteCount == header.elementCount * header.dtype.itemSize)
                    #expect(header.dataOffset + header.byteCount == bytes.count)
                } catch {
                    #expect(error.reason == parsed.reason, "\(name) \(sample)")
                }
            }
        }
    }
}
