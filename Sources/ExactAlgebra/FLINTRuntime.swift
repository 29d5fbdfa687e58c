// Process-wide facts and settings of the C layer.
internal import CFLINT

public enum FLINTRuntime {
    /// The FLINT version this binary was compiled against, e.g. "2.9.0".
    public static var version: String { String(cString: CFLINT_FLINT_VERSION()) }

    /// FLINT reports fatal errors on stdout and then aborts; with stdout a pipe, block buffering would lose both the
    /// message and any pending output. Call once at start-up.
    public static func lineBufferStandardOutput() { CFLINT_setvbuf_stdout_line() }
}
