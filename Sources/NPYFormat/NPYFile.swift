// An .npy file opened for reading: its size first, then only the byte ranges asked for.
//
// Only regular files are read. Their size is known before anything is read, which is what lets the header be checked
// against the file before an array is allocated; a pipe or a device has no size (and /dev/zero never ends), and a
// FIFO is opened without blocking so that naming one is refused instead of hanging. Public for ArrayContainers, which
// reads .npz and .safetensors files the same way.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public final class NPYFile {
    let descriptor: Int32
    public let size: Int

    public init(path: String) throws(NPY.ReadError) {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw NPY.ReadError("cannot read the file: \(Self.lastError())") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = Self.lastError()
            close(descriptor)
            throw NPY.ReadError("cannot read the file: \(reason)")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw NPY.ReadError(status.st_mode & S_IFMT == S_IFDIR ? "is a directory, not an .npy file"
                                                                   : "not a regular file (a pipe or a device): save the array to a file")
        }
        self.descriptor = descriptor
        self.size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    static func lastError() -> String { String(cString: strerror(errno)) }

    /// Fills `buffer` with the bytes from `offset` on; the count of bytes read (less only at the end of the file).
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(NPY.ReadError) -> Int {
        var done = 0
        while done < buffer.count {
            // Linux reads at most 0x7ffff000 bytes per call; ask for at most 1 GiB.
            let chunk = min(buffer.count - done, 1 << 30)
            let got = pread(descriptor, buffer.baseAddress! + done, chunk, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw NPY.ReadError("cannot read the file: \(Self.lastError())")
            }
            if got == 0 { break }
            done += got
        }
        return done
    }

    /// The first bytes, enough for any header we accept (the whole file when it is shorter).
    func prefix() throws(NPY.ReadError) -> [UInt8] {
        let count = min(size, NPYHeader.maximumPrefixLength)
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        var failure: NPY.ReadError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(NPY.ReadError) { got = try read(into: buffer, at: 0) } catch { failure = error }
        }
        if let failure { throw failure }
        return Array(bytes[0..<got])
    }
}
