// OpenBLAS splits a product across as many threads as OPENBLAS_NUM_THREADS allows, and the split decides the order
// of the floating-point sums, hence the last bits of a spectrum: a fixture's "is numpy's default rank reliable here"
// flag flipped between 1 and 2 threads. Output that must be byte-identical on a rerun pins one thread at run time.
// `openblas_set_num_threads` is looked up with dlsym rather than declared, so that the package still links against a
// LAPACK whose BLAS is not OpenBLAS (which then has no threads of its own to pin).
#if canImport(Glibc)
import Glibc
#endif

public enum BLASThreads {
    /// Pins OpenBLAS to one thread for the rest of the process; false when no OpenBLAS is loaded.
    @discardableResult
    public static func pinToOne() -> Bool {
        // A null handle is RTLD_DEFAULT: search every loaded library.
        guard let symbol = dlsym(nil, "openblas_set_num_threads") else { return false }
        typealias SetThreads = @convention(c) (Int32) -> Void
        unsafeBitCast(symbol, to: SetThreads.self)(1)
        return true
    }
}
