// An .npz file: a zip archive (as numpy.savez and numpy.savez_compressed write it through Python's zipfile) whose
// members KEY.npy are .npy files, stored or deflated. Read in memory: nothing is extracted to disk.
//
// The zip structure is read and checked here, strictly, before any member is inflated: the end record at the end of
// the file, the central directory right before it, and each member's local header, name, method and place, so that
// every byte range read later lies in the file and no two members overlap. Refused: ZIP64 archives (an archive or a
// member of 4 GiB or more: numpy writes ZIP64 records in its local headers, which are accepted, but not in its
// directory below that size), split, encrypted or prepended archives, methods other than stored (0) and deflated
// (8), members not named KEY.npy, repeated names. ZIPFoundation's own reader (`Archive`) is not used for the
// structure: it converts the 64-bit offsets of ZIP64 records with conversions that trap when they are out of range
// (`off_t(offset)`), and, extracting a deflated member, feeds the inflater the bytes after the member up to the end of
// the file and then spins forever when the stream has not ended (a 170-byte archive whose member is a stored block
// promising 65,535 bytes does it). Its inflater (`Data.decompress`, zlib) and CRC-32 are used, with a provider that hands it the member's
// compressed bytes only and a consumer that stops it at the declared size.
//
// Limits, all checked against the central directory's declared sizes before anything is inflated: each member at most
// `maximumMemberSize` bytes uncompressed, all members together at most `maximumTotalSize`, the directory at most
// `maximumDirectorySize`. Inflating is capped at the member's declared size (a member that inflates to more is refused
// at the first byte past it), and the inflated bytes must have the declared size and CRC-32 exactly. A member's .npy
// header is read by inflating its first `NPYHeader.maximumPrefixLength` bytes only, and checked against the declared
// size as NPYFormat checks a file's header against the file's size.
import Foundation
import NPYFormat
import ZIPFoundation

public final class NPZArchive: ArrayContainer {
    /// The most bytes one member may declare uncompressed (2^30: 134 million float64 values).
    public static let maximumMemberSize = 1 << 30
    /// The most bytes all members together may declare uncompressed.
    public static let maximumTotalSize = 1 << 31
    /// The most bytes of central directory (numpy writes about 60 per array).
    public static let maximumDirectorySize = 1 << 22
    /// The bytes handed to the inflater, and taken from it, at a time.
    static let chunkSize = 1 << 16

    struct Member {
        let name: String
        let key: String
        let deflated: Bool
        let crc: UInt32
        let compressedSize: Int
        let uncompressedSize: Int
        let headerOffset: Int
        let dataOffset: Int
    }

    let file: NPYFile
    let members: [Member]
    let byKey: [String: Int]
    /// Headers already read (`shape(of:)`), by key.
    var headers: [String: NPYHeader] = [:]

    public var keys: [String] { members.map(\.key) }

    public init(_ file: NPYFile) throws(ContainerError) {
        self.file = file
        members = try Self.directory(file)
        byKey = Dictionary(members.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func shape(of key: String) throws(ContainerError) -> [Int] { try header(key).shape }

    public func array(_ key: String) throws(ContainerError) -> NPYArray {
        let member = try self.member(key)
        let bytes = try contents(member, limit: nil)
        guard bytes.count == member.uncompressedSize else {
            throw ContainerError(key: key, "the member \(member.name) holds \(bytes.count) bytes, not the \(member.uncompressedSize) the archive's directory declares")
        }
        let data = Data(bytes)
        let crc = data.crc32(checksum: 0)
        guard crc == member.crc else {
            throw ContainerError(key: key, "CRC-32 mismatch in \(member.name): the directory says \(Self.hex(member.crc)), the data give \(Self.hex(crc)) (a damaged archive)")
        }
        do { return try NPY.parse(data) } catch { throw ContainerError(key: key, error.reason) }
    }

    func member(_ key: String) throws(ContainerError) -> Member {
        guard let index = byKey[key] else { throw ContainerError(key: key, "not in the archive") }
        return members[index]
    }

    /// The member's .npy header, from its first bytes, checked against its declared size.
    func header(_ key: String) throws(ContainerError) -> NPYHeader {
        if let header = headers[key] { return header }
        let member = try self.member(key)
        let prefix = try contents(member, limit: NPYHeader.maximumPrefixLength)
        let header: NPYHeader
        do { header = try NPYHeader(parsing: prefix, fileSize: member.uncompressedSize) } catch {
            throw ContainerError(key: key, error.reason)
        }
        headers[key] = header
        return header
    }

    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16, uppercase: true) }

    // MARK: - The members' bytes

    private struct Stop: Error {}

    private enum InflateFailure: Error {
        case truncated
        case tooLong
        case unreadable(ContainerError)
    }

    /// The member's uncompressed bytes: all of them (at most its declared size), or the first `limit`.
    func contents(_ member: Member, limit: Int?) throws(ContainerError) -> [UInt8] {
        let cap = min(limit ?? member.uncompressedSize, member.uncompressedSize)
        guard member.deflated else { return try file.bytes(at: member.dataOffset, count: cap) }
        var output: [UInt8] = []
        output.reserveCapacity(min(cap, Self.maximumMemberSize))
        var consumed = 0
        // ZIPFoundation's inflater tells zlib that each chunk holds the full chunk size: every chunk is that long,
        // the member's last bytes padded with zeros; asked for more, we refuse (the stream did not end in the member).
        let provider: Provider = { [file] _, size in
            let remaining = member.compressedSize - consumed
            guard remaining > 0 else { throw InflateFailure.truncated }
            let count = min(remaining, size)
            var chunk: [UInt8]
            do throws(ContainerError) { chunk = try file.bytes(at: member.dataOffset + consumed, count: count) } catch {
                throw InflateFailure.unreadable(error)
            }
            consumed += count
            if count < size { chunk += [UInt8](repeating: 0, count: size - count) }
            return Data(chunk)
        }
        let consumer: Consumer = { data in
            guard output.count + data.count <= cap else {
                if limit != nil, cap < member.uncompressedSize {
                    output += data.prefix(cap - output.count)
                    throw Stop()
                }
                throw InflateFailure.tooLong
            }
            output += data
            if limit != nil, output.count == cap, cap < member.uncompressedSize { throw Stop() }
        }
        do {
            _ = try Data.decompress(size: Int64(member.compressedSize), bufferSize: Self.chunkSize, skipCRC32: true,
                                    provider: provider, consumer: consumer)
        } catch is Stop {
        } catch InflateFailure.truncated {
            throw ContainerError(key: member.key, "truncated deflated data: the stream of \(member.name) does not end within its \(member.compressedSize) compressed bytes")
        } catch InflateFailure.tooLong {
            throw ContainerError(key: member.key, "\(member.name) inflates to more than the \(member.uncompressedSize) bytes the archive's directory declares (refused at that size)")
        } catch InflateFailure.unreadable(let error) {
            throw ContainerError(key: member.key, error.reason)
        } catch {
            throw ContainerError(key: member.key, "corrupt deflated data in \(member.name) (zlib refuses the stream)")
        }
        return output
    }

    // MARK: - The zip structure

    static let endSignature = 0x0605_4B50, directorySignature = 0x0201_4B50, localSignature = 0x0403_4B50
    static let zip64LocatorSignature = 0x0706_4B50

    /// The members listed in the central directory, each checked against its local header.
    static func directory(_ file: NPYFile) throws(ContainerError) -> [Member] {
        let size = file.size
        // The end record: 22 bytes and a comment of up to 65,535, ending the file.
        let tailLength = min(size, 22 + 0xFFFF)
        let tail = try file.bytes(at: size - tailLength, count: tailLength)
        var end: Int?
        if tail.count >= 22 {
            for position in stride(from: tail.count - 22, through: 0, by: -1)
            where tail.littleEndian(position, 4) == endSignature && position + 22 + tail.littleEndian(position + 20, 2) == tail.count {
                end = position
                break
            }
        }
        guard let end else {
            let head = try file.bytes(at: 0, count: min(size, 4))
            if head == [0x50, 0x4B, 0x03, 0x04] {
                throw ContainerError("truncated zip archive: no end-of-central-directory record at the end of the file (\(size) bytes)")
            }
            throw ContainerError("not a zip archive (an .npz is one, as numpy.savez writes it): no end-of-central-directory record")
        }
        let endOffset = size - tailLength + end
        let (disk, directoryDisk) = (tail.littleEndian(end + 4, 2), tail.littleEndian(end + 6, 2))
        let (entriesHere, entries) = (tail.littleEndian(end + 8, 2), tail.littleEndian(end + 10, 2))
        let (directorySize, directoryOffset) = (tail.littleEndian(end + 12, 4), tail.littleEndian(end + 16, 4))
        let isZIP64 = entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF
            || (end >= 20 && tail.littleEndian(end - 20, 4) == zip64LocatorSignature)
        guard !isZIP64 else {
            throw ContainerError("a ZIP64 archive (4 GiB or more, or 65,535 members or more) is not supported: this reader takes members of at most \(maximumMemberSize) bytes")
        }
        guard disk == 0, directoryDisk == 0, entriesHere == entries else {
            throw ContainerError("a split (multi-disk) zip archive is not supported")
        }
        guard directoryOffset + directorySize == endOffset else {
            throw ContainerError("damaged zip archive: the central directory (\(directorySize) bytes at offset \(directoryOffset)) does not end where the end record starts (offset \(endOffset))")
        }
        guard directorySize <= maximumDirectorySize else {
            throw ContainerError("the zip's central directory is \(directorySize) bytes, above this reader's limit of \(maximumDirectorySize)")
        }
        let directory = try file.bytes(at: directoryOffset, count: directorySize)
        var members: [Member] = [], names: Set<String> = [], total = 0, position = 0
        for index in 0..<entries {
            guard position + 46 <= directory.count, directory.littleEndian(position, 4) == directorySignature else {
                throw ContainerError("damaged zip archive: entry \(index + 1) of the central directory (\(entries) entries) is missing or malformed")
            }
            let nameLength = directory.littleEndian(position + 28, 2)
            let extraLength = directory.littleEndian(position + 30, 2), commentLength = directory.littleEndian(position + 32, 2)
            let next = position + 46 + nameLength + extraLength + commentLength
            guard next <= directory.count else {
                throw ContainerError("damaged zip archive: entry \(index + 1) of the central directory runs past its end")
            }
            let nameBytes = Array(directory[(position + 46)..<(position + 46 + nameLength)])
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                throw ContainerError("the zip member named \(ContainerError.printable(String(decoding: nameBytes, as: UTF8.self))) has a name that is not UTF-8")
            }
            let member = try Self.member(name: name, nameBytes: nameBytes, entry: Array(directory[position..<(position + 46)]),
                                         file: file, directoryOffset: directoryOffset)
            guard names.insert(name).inserted else {
                throw ContainerError(key: member.key, "the archive holds two members named \(member.name)")
            }
            total += member.uncompressedSize
            guard total <= maximumTotalSize else {
                throw ContainerError(key: member.key, "the members up to \(member.name) declare \(total) bytes uncompressed, above this reader's limit of \(maximumTotalSize) for an archive")
            }
            members.append(member)
            position = next
        }
        guard position == directory.count else {
            throw ContainerError("damaged zip archive: the central directory holds \(directory.count - position) bytes after its \(entries) entries")
        }
        // No two members' local headers and data overlap.
        let ordered = members.sorted { $0.headerOffset < $1.headerOffset }
        for (a, b) in zip(ordered, ordered.dropFirst()) where a.dataOffset + a.compressedSize > b.headerOffset {
            throw ContainerError(key: b.key, "damaged zip archive: the member \(b.name) overlaps \(a.name)")
        }
        return members
    }

    /// One central directory entry (its 46 fixed bytes `entry` and its name), checked, with its local header.
    static func member(name: String, nameBytes: [UInt8], entry: [UInt8], file: NPYFile,
                       directoryOffset: Int) throws(ContainerError) -> Member {
        let printable = ContainerError.printable(name)
        guard name.hasSuffix(".npy"), name.count > 4 else {
            throw ContainerError("the zip member \(printable) is not an array: an .npz holds KEY.npy members only (numpy.savez writes each array so)")
        }
        let key = String(name.dropLast(4))
        let (flags, method) = (entry.littleEndian(8, 2), entry.littleEndian(10, 2))
        let crc = UInt32(entry.littleEndian(16, 4))
        let (compressedSize, uncompressedSize) = (entry.littleEndian(20, 4), entry.littleEndian(24, 4))
        let headerOffset = entry.littleEndian(42, 4)
        guard flags & 0x41 == 0 else { throw ContainerError(key: key, "\(printable) is encrypted") }
        guard method == 0 || method == 8 else {
            throw ContainerError(key: key, "\(printable) is compressed with method \(method): numpy writes stored (0) or deflated (8) members")
        }
        guard compressedSize != 0xFFFF_FFFF, uncompressedSize != 0xFFFF_FFFF, headerOffset != 0xFFFF_FFFF else {
            throw ContainerError(key: key, "\(printable) has ZIP64 sizes (4 GiB or more), above this reader's limit of \(maximumMemberSize) bytes per member")
        }
        guard uncompressedSize <= maximumMemberSize else {
            throw ContainerError(key: key, "\(printable) declares \(uncompressedSize) bytes uncompressed, above this reader's limit of \(maximumMemberSize) bytes per member")
        }
        guard method == 8 || compressedSize == uncompressedSize else {
            throw ContainerError(key: key, "damaged zip archive: the stored member \(printable) declares \(compressedSize) bytes stored but \(uncompressedSize) uncompressed")
        }
        guard headerOffset + 30 + nameBytes.count <= directoryOffset else {
            throw ContainerError(key: key, "damaged zip archive: the local header of \(printable) (offset \(headerOffset)) is not before the central directory (offset \(directoryOffset))")
        }
        let local = try file.bytes(at: headerOffset, count: 30 + nameBytes.count)
        guard local.littleEndian(0, 4) == localSignature else {
            throw ContainerError(key: key, "damaged zip archive: no local header for \(printable) at offset \(headerOffset)")
        }
        guard local.littleEndian(8, 2) == method, local.littleEndian(26, 2) == nameBytes.count, Array(local[30...]) == nameBytes else {
            throw ContainerError(key: key, "damaged zip archive: the local header of \(printable) disagrees with the central directory (name or method)")
        }
        let dataOffset = headerOffset + 30 + nameBytes.count + local.littleEndian(28, 2)
        guard dataOffset + compressedSize <= directoryOffset else {
            throw ContainerError(key: key, "truncated zip archive: the \(compressedSize) bytes of \(printable) at offset \(dataOffset) run past the central directory (offset \(directoryOffset))")
        }
        return Member(name: printable, key: key, deflated: method == 8, crc: crc, compressedSize: compressedSize,
                      uncompressedSize: uncompressedSize, headerOffset: headerOffset, dataOffset: dataOffset)
    }
}
