// `hessian-rank certify`: write a rank certificate that anyone can check without trusting this code.
import ArgumentParser
import CertificateChecker
import ExactAlgebra
import Foundation
import HessianCore

struct Certify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a certificate of the Hessian ranks of one network, checkable by check-certificate.",
        discussion: """
            The certificate (JSON, format version \(Certificate.formatVersion)) holds the network, data and targets \
            as exact integers and, for each requested part, the claimed rank rho with two witnesses: a rho x rho \
            minor that is nonzero modulo a stated prime (so rank >= rho), and the columns of that minor, whose span \
            the checker shows to contain every column exactly (so rank <= rho). Linear networks, and with \
            --activation relu ReLU networks away from kinks. Before writing, the certificate is \
            checked by the independent checker; an unlucky prime (probability below 1e-13) is replaced.

            With --upper-bound statement, a rank that meets an upper bound proven at every point (the closed forms \
            read with the data's exact rank, rank <= p, rank H_O <= N K; proofs/upper-bounds.md) names that \
            statement instead of the span witness: the checker recomputes the bound from the network with the \
            formula module and its own exact ranks of X and Omega, and accepts only statements proved in proofs/ or \
            cited from the paper, never an observation. Ranks below every bound keep the span witness. Examples:

              hessian-rank certify --arch 25,5,10,10 --samples 50 --part all --out demo.json
              hessian-rank check-certificate demo.json
              hessian-rank certify --arch 6,2,5 --samples 8 --upper-bound statement --out bounds.json
            """
    )

    @OptionGroup var network: NetworkOptions

    @Option(name: .long, help: ArgumentHelp("Which Hessian: loss, outer, functional or all.", valueName: "part"))
    var part: String = "all"

    @Option(name: .long, help: ArgumentHelp("Where to write the certificate (written atomically).", valueName: "file"))
    var out: String

    @Option(name: .customLong("upper-bound"), help: ArgumentHelp(
        "How each rank's upper bound is shown: span (the exact column span of the witness columns; needs no theorem) "
            + "or statement (a bound proven at every point that the rank meets, recomputed by the checker; the span "
            + "where none is met).", valueName: "span|statement"))
    var upperBound: String = "span"

    @OptionGroup var model: ExactActivationOption
    var activation: Activation { model.activation }

    static let attempts = 3

    var parts: [HessianPart] { part == "all" ? HessianPart.allCases : [HessianPart(rawValue: part)!] }

    func validate() throws {
        try model.activation.requireExact()
        try network.requireDraw()
        guard part == "all" || HessianPart(rawValue: part) != nil else {
            throw ValidationError("--part: expected loss, outer, functional or all; got '\(part)'")
        }
        guard UpperBoundWitness(rawValue: upperBound) != nil else {
            throw ValidationError("--upper-bound: expected span or statement; got '\(upperBound)'")
        }
        try network.checkMemory(.certify(activation: activation))
        // A certificate holds witnesses for the full Hessians, which the checker rebuilds.
        try RankMethodOptions.checkCertificationSize(network.architecture, samples: network.sampleCount, reduced: false,
                                                     option: "certify", files: true)
        // The independent checker has limits of its own (check-certificate --help): refuse what it would refuse.
        do {
            try CertificateCheck.Limits.checkNetwork(widths: network.architecture.widths, samples: network.sampleCount,
                                                     bias: network.bias)
        } catch {
            throw ValidationError("certify: check-certificate would refuse this certificate: \(error.reason)")
        }
        try Validate.outputFile(out, option: "--out")
    }

    func run() throws {
        // A drawn network on a kink is drawn again (the pipeline's draw step); the certificate records the seed used.
        let (seed, problem) = try Analyzer.drawOffKinks(network.architecture, samples: network.sampleCount,
                                                        plan: .integers(dataRank: network.dataRankValue),
                                                        seed: network.seedValue, activation: activation)
        let clock = ContinuousClock()
        var failures: [String] = []
        for attempt in 1...Self.attempts {
            let start = clock.now
            let certificate = try CertificateBuilder.build(problem, seed: seed, parts: parts, activation: activation,
                                                           upperBound: UpperBoundWitness(rawValue: upperBound)!)
            let data = try certificate.fileData()
            let built = clock.now
            let summary: CertificateCheck.Summary
            do {
                summary = try CertificateCheck.check(data)
            } catch {
                failures.append("attempt \(attempt): \(error.reason)")
                continue
            }
            try AtomicFile.write(data, to: out)
            StandardError.write(String(format: "certify: built in %.2f s, checked in %.2f s\n",
                                       (built - start).seconds, (clock.now - built).seconds))
            print("wrote \(out): \(summary)")
            return
        }
        throw CommandFailure(message: "could not certify: " + failures.joined(separator: "; "))
    }
}
