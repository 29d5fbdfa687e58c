// Reading a certificate file without reading more than the checker's limit.
import Foundation

public enum CertificateFile {
    public enum ReadFailure: Error {
        /// The file cannot be opened or read (bad input: no certificate was given).
        case unreadable(String)
        /// The file is above `CertificateCheck.Limits.fileBytes` (an invalid certificate).
        case tooLarge(CertificateCheck.Failure)
    }

    /// The bytes of the file at `path`. A regular file above the limit is refused from its size, unread; anything
    /// else (a pipe, a device such as /dev/zero, a file that grows) is read up to one byte past the limit and refused
    /// there, so at most `Limits.fileBytes + 1` bytes are ever held.
    public static func read(_ path: String) throws(ReadFailure) -> Data {
        let limit = CertificateCheck.Limits.fileBytes
        guard FileManager.default.fileExists(atPath: path) else { throw .unreadable("no such file") }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if attributes?[.type] as? FileAttributeType == .typeDirectory { throw .unreadable("it is a directory") }
        if attributes?[.type] as? FileAttributeType == .typeRegular,
           let size = (attributes?[.size] as? NSNumber)?.intValue, size > limit {
            throw .tooLarge(CertificateCheck.Limits.fileTooLarge(size))
        }
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            var data = Data()
            while data.count <= limit, let chunk = try handle.read(upToCount: limit + 1 - data.count), !chunk.isEmpty {
                if data.isEmpty { data = chunk } else { data.append(chunk) }
            }
            guard data.count <= limit else { throw ReadFailure.tooLarge(CertificateCheck.Limits.fileTooLarge(nil)) }
            return data
        } catch let failure as ReadFailure {
            throw failure
        } catch {
            throw .unreadable(error.localizedDescription)
        }
    }
}
