// `hessian-rank check-certificate FILE`: verify a certificate without trusting the code that wrote it.
import ArgumentParser
import CertificateChecker
import Foundation

struct CheckCertificate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-certificate",
        abstract: "Check a rank certificate; exit 0 if valid, 1 with the reason if not.",
        discussion: """
            Rebuilds every Hessian by the direct route (per-sample derivatives in exact integer arithmetic, never \
            the structured construction that produced the certificate) and checks both witnesses of each rank: the \
            stated minor is nonzero modulo the stated prime, and every column lies in the span of the witness \
            columns, exactly over Q. Also checks the format version first, then the digests that bind the inputs \
            and the rest of the file.
            """
    )

    @Argument(help: ArgumentHelp("The certificate file (JSON).", valueName: "file"))
    var file: String

    func run() throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        do {
            print(try CertificateCheck.check(data))
        } catch {
            print("invalid: \(error.reason)")
            throw ExitCode(1)
        }
    }
}
