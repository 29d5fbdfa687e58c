// The `hessian-rank` executable: a root command whose default subcommand is `verify`, the main job.
//
// Exit codes: 0 success; 1 a check failed (a counterexample, a rank below a proven attainment or a shortfall where
// C1-C4 hold, an invalid certificate);
// 2 bad input, with a one-line message on stderr naming the argument and the fix.
// Bad input has one type in the CLI, ArgumentParser's `ValidationError`, thrown from `validate()` and `run()` alike; the
// core's `InputError` (a shape, a file's values, every draw on a kink) that reaches `main` is reported the same way.
// A failed run has one type too, `CommandFailure` (a failed check, whose report is printed, or a file not written).
import ArgumentParser
import ExactAlgebra
import HessianCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

@main
struct HessianRankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hessian-rank",
        abstract: "Exact ranks of neural-network Hessians, checked against closed-form formulas.",
        discussion: """
            For a bias-free deep linear network with integer weights, data X and targets Y, hessian-rank builds the \
            Hessian of the MSE loss 1/2 sum ||f(x_n) - y_n||^2 (H_L), its outer-product part H_O and its functional \
            part H_F as exact integer matrices, and computes their rank over Q modulo random 63-bit primes (a proven \
            lower bound, with a stated bound on the probability that it is low) or, with --certify, exactly.

            With no subcommand it runs `verify`: the formulas of Singh, Bachmann & Hofmann (NeurIPS 2021) on a \
            built-in grid of networks.
            """,
        subcommands: [Verify.self, Rank.self, ConjectureCommand.self, Bias.self, Certify.self, CheckCertificate.self, Calibrate.self, Fixtures.self, Sweep.self,
                      Merge.self, Bench.self],
        defaultSubcommand: Verify.self
    )

    static func main() {
        FLINTRuntime.lineBufferStandardOutput()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as InputError {
            fail("error: \(error.message)", code: 2)
        } catch let error as CommandFailure {
            if error.message.isEmpty { Foundation.exit(1) }
            fail("error: \(error.message)", code: 1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = self.message(for: error)
            if !message.isEmpty { StandardError.write("error: \(message)\n") }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        StandardError.write(message + "\n")
        Foundation.exit(code)
    }
}
