// `hessian-rank check-certificate FILE`: verify a certificate without trusting the code that wrote it.
import ArgumentParser
import CertificateChecker
import Foundation

struct CheckCertificate: ParsableCommand {
    typealias Limits = CertificateCheck.Limits

    static let configuration = CommandConfiguration(
        commandName: "check-certificate",
        abstract: "Check a rank certificate; exit 0 if valid, 1 with the reason if not.",
        discussion: """
            Rebuilds every Hessian by the direct route (per-sample derivatives in exact integer arithmetic, never \
            the structured construction that produced the certificate; for a linear convolutional network, format \
            version 3, on its unrolled dense network, pulled back to the kernel weights) and checks both witnesses \
            of each rank: the \
            stated minor is nonzero modulo the stated prime, and every column lies in the span of the witness \
            columns, exactly over Q. Also checks the format version first, then the digests that bind the inputs \
            and the rest of the file.

            Limits: a certificate above any of them is refused as invalid (exit 1) before the checker allocates \
            anything that grows with it. The file: at most \(Limits.fileBytes) bytes (64 MiB), checked before it is \
            read. The JSON, checked before any value is parsed: only the format's keys, each once; nesting at most \
            \(Limits.depth) deep; strings at most \(Limits.stringBytes) bytes; numbers integers of at most \
            \(Limits.numberCharacters) characters; at most \(Limits.values) values. The network, checked before any \
            matrix is built: at most \(Limits.widths) widths; p at most \(Limits.parameters) parameters (the \
            limit of certify; it bounds every width); N at most \(Limits.samples) samples; \
            N (d + K) at most \(Limits.dataEntries) entries of data and targets; rebuilding the Hessians at most \
            \(Limits.rebuildWork) multiply-adds (N p^2 (K + 8) / 2); decimal entries at most \
            \(Limits.decimalDigits) digits. A convolutional network: at most \(Limits.parameters) layers; its \
            unrolled dense network at most \(Limits.unrolledParameters) parameters p_u, and the rebuild's work \
            counted in p_u (N p_u^2 (K + 8) / 2). Every certificate that certify writes is within them.
            """
    )

    @Argument(help: ArgumentHelp("The certificate file (JSON).", valueName: "file"))
    var file: String

    func run() throws {
        let data: Data
        do {
            data = try CertificateFile.read(file)
        } catch {
            switch error {
            case .unreadable(let reason): throw ValidationError("cannot read \(file): \(reason)")
            case .tooLarge(let failure): throw invalid(failure)
            }
        }
        do {
            print(try CertificateCheck.check(data))
        } catch {
            throw invalid(error)
        }
    }

    /// Prints the reason; the returned error exits 1.
    func invalid(_ failure: CertificateCheck.Failure) -> CommandFailure {
        print("invalid: \(failure.reason)")
        return .checkFailed
    }
}
