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
            The certificate (JSON, format version \(Certificate.formatVersion); \(Certificate.convolutionalFormatVersion) \
            for a convolutional network) holds the network, data and targets \
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

            A linear convolutional network (--input and --layers, as for rank, drawn from the same seed as rank draws \
            it) gets a certificate of format version \(Certificate.convolutionalFormatVersion): the network section \
            holds the input's shape, the layers and theta in PyTorch's order, and the checker rebuilds the Hessians in \
            theta from the unrolled dense network with its own code (span witnesses only, so --upper-bound span). \
            Example:

              hessian-rank certify --input 1x6x6 --layers conv:2:3:s2,dense:3 --samples 4 --out conv.json
            """
    )

    @OptionGroup var network: NetworkOptions

    @OptionGroup var convolution: ConvolutionOptions
    var input: String? { convolution.input }
    var layers: String? { convolution.layers }

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
        guard part == "all" || HessianPart(rawValue: part) != nil else {
            throw ValidationError("--part: expected loss, outer, functional or all; got '\(part)'")
        }
        guard UpperBoundWitness(rawValue: upperBound) != nil else {
            throw ValidationError("--upper-bound: expected span or statement; got '\(upperBound)'")
        }
        if layers != nil || input != nil { return try validateConvolution() }
        try network.requireDraw()
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

    /// The parsed convolutional network; `validateConvolution` guarantees it parses.
    var convolutionalArchitecture: ConvolutionalArchitecture {
        try! ConvolutionalArchitecture(input: input!, layers: layers!, bias: network.bias)
    }

    func validateConvolution() throws {
        let architecture = try convolution.architecture(bias: network.bias)
        guard network.arch == nil, network.dataRank == nil else {
            throw ValidationError("--layers: the network is --input and --layers; leave out --arch and --data-rank")
        }
        guard let samples = network.samples, (Int(samples) ?? 0) >= 1 else {
            throw ValidationError("--layers: give the number of samples with --samples N")
        }
        guard activation == .linear else {
            throw ValidationError("--layers: convolutional networks are certified linear under mse so far; leave out --activation")
        }
        guard UpperBoundWitness(rawValue: upperBound) == .span else {
            throw ValidationError("--upper-bound statement: proven statements are not certified for convolutional networks (--layers) yet; use --upper-bound span, the exact column span")
        }
        // The independent checker has limits of its own (check-certificate --help), among them the unrolled
        // network's size: refuse what it would refuse, before any work.
        do {
            let shape = try CertificateCheck.ConvolutionalShape(
                input: [architecture.input.channels] + architecture.input.spatial,
                layers: architecture.layers.map { layer in
                    switch layer {
                    case .convolution(let c):
                        .convolution(outChannels: c.outChannels, kernel: c.kernel, stride: c.stride, samePadding: c.samePadding, bias: c.bias)
                    case let .dense(outputs, bias): .dense(outputs: outputs, bias: bias)
                    }
                })
            try CertificateCheck.Limits.checkConvolutionalNetwork(shape, samples: network.sampleCount)
        } catch {
            throw ValidationError("certify: check-certificate would refuse this certificate: \(error.reason)")
        }
        try Validate.outputFile(out, option: "--out")
    }

    func run() throws {
        if layers != nil { return try runConvolution() }
        // A drawn network on a kink is drawn again (the pipeline's draw step); the certificate records the seed used.
        let (seed, problem) = try Analyzer.drawOffKinks(network.architecture, samples: network.sampleCount,
                                                        plan: .integers(dataRank: network.dataRankValue),
                                                        seed: network.seedValue, activation: activation)
        try writeChecked {
            try CertificateBuilder.build(problem, seed: seed, parts: parts, activation: activation,
                                         upperBound: UpperBoundWitness(rawValue: upperBound)!)
        }
    }

    /// A linear convolutional network, drawn as `rank --input --layers` draws it (same seed: same theta, x, y).
    func runConvolution() throws {
        let problem = try ConvolutionalProblem.draw(convolutionalArchitecture, samples: network.sampleCount,
                                                    seed: network.seedValue)
        try writeChecked { try CertificateBuilder.build(problem, seed: network.seedValue, parts: parts) }
    }

    /// Builds a certificate, checks it with the independent checker, and writes it atomically; a certificate the
    /// checker refuses (an unlucky prime) is built again with new primes, up to `attempts` times.
    func writeChecked(_ build: () throws -> Certificate) throws {
        let clock = ContinuousClock()
        var failures: [String] = []
        for attempt in 1...Self.attempts {
            let start = clock.now
            let data = try build().fileData()
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
