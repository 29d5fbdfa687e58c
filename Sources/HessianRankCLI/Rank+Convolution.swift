// `rank --input 1x8x8 --layers conv:4:3:same,dense:10 --samples N`: the exact ranks of a linear convolutional
// network's Hessians (`ParametrizedLinearHessian`, proofs/convolution.md) at a drawn integer point; with
// `--weights DIR|FILE` at the user's own weights, data and targets, exactly (`ConvolutionWeightFiles`, and
// `ConvolutionalProblem.exactWithExponents` for why the integer problem ranked has the true ranks).
import ArgumentParser
import ExactAlgebra
import Foundation
import HessianCore
import RankFormulas

extension Rank {
    /// The parsed convolutional network; `validateConvolution` guarantees it parses.
    var convolutionalArchitecture: ConvolutionalArchitecture {
        try! ConvolutionalArchitecture(input: input!, layers: layers!, bias: network.bias)
    }

    /// Above this many parameters the Hessians (p x p modulo a prime, 8 p^2 bytes each) are refused for now.
    static let convolutionParameterLimit = 8_000
    /// --certify builds them over Z first.
    static let convolutionCertificationLimit = 1_500

    func validateConvolution() throws {
        let architecture = try convolution.architecture(bias: network.bias)
        guard network.arch == nil, network.dataRank == nil, weights != nil || !data.given else {
            throw ValidationError("--layers: the network is --input and --layers; leave out --arch and --data-rank, and give --x and --y only with --weights (a drawn network's data are drawn too)")
        }
        if weights != nil {
            guard !rankOptions.generic else { throw ValidationError("--field prime: not with --weights (your weights are the point)") }
            // The files give N; a --samples beside them must agree (checked once the files' headers are read).
            if let samples = network.samples, (Int(samples) ?? 0) < 1 {
                throw ValidationError("--samples: expected a positive integer number of samples; got '\(samples)' (with --weights it may be left out: the files give N)")
            }
        } else {
            guard let samples = network.samples, (Int(samples) ?? 0) >= 1 else {
                throw ValidationError("--layers: give the number of samples with --samples N (or your own weights and data with --weights)")
            }
        }
        guard rankOptions.activation == .linear, (try? Loss(parsing: loss)) == .mse, !rankOptions.generic, !rankOptions.fullMatrices else {
            throw ValidationError("--layers: convolutional networks are linear under mse at integer points so far; leave out --activation, --loss, --field and --full-matrices")
        }
        guard architecture.parameterCount <= Self.convolutionParameterLimit else {
            throw ValidationError("--layers: p = \(architecture.parameterCount) parameters; convolutional Hessians are offered up to p = \(Self.convolutionParameterLimit) so far")
        }
        guard !rankOptions.certify || architecture.parameterCount <= Self.convolutionCertificationLimit else {
            throw ValidationError("--certify: p = \(architecture.parameterCount); certified convolutional ranks are offered up to p = \(Self.convolutionCertificationLimit) so far (without --certify: ranks modulo random primes)")
        }
    }

    struct ConvolutionPart: Encodable {
        let part: String
        let rank: Int
        /// The tightest bound that holds at this point (p; N K for H_O; the unrolled dense network's bounds,
        /// "unrolled:<id>", proofs/convolution.md) and whether the rank meets it (then exact).
        let upperBound: Int
        let upperBoundStatement: String
        let exact: Bool
        let method: String
        let errorBound: Double?
        /// The primes of a rank modulo primes (replay with --prime); for a certified rank, none are listed.
        let primes: [String]
    }

    struct ConvolutionReport: Encodable {
        let formatVersion = 1
        let input: String
        let layers: String
        let parameters: Int
        let samples: Int
        let seed: String
        let unrolledWidths: [Int]
        let parts: [ConvolutionPart]
        /// With --weights: each array of the files is the integer problem's divided by 2^exponent (absent when drawn).
        let inputExponents: ConvolutionalInputExponents?
    }

    /// The problem of --weights (and --x, --y), exact, with its exponents; --samples, if given, must match the files.
    func loadConvolutionalProblem(_ architecture: ConvolutionalArchitecture) throws -> (problem: ConvolutionalProblem, exponents: ConvolutionalInputExponents) {
        let headers = try ConvolutionWeightFiles.headers(architecture, weights: weights!, x: data.xFile, y: data.yFile)
        if let samples = network.samples, let n = Int(samples), n != headers.samples {
            let source = if case .npy = headers.x.source { "--x \(headers.x.path)" } else { "key x of \(headers.x.path)" }
            throw ValidationError("--samples: \(n) does not match the \(headers.samples) samples in \(source); leave --samples out (the files give N)")
        }
        return try ConvolutionWeightFiles.problem(architecture, headers)
    }

    func runConvolution() throws {
        let architecture = convolutionalArchitecture
        let given = try weights.map { _ in try loadConvolutionalProblem(architecture) }
        let problem = try given?.problem ?? ConvolutionalProblem.draw(architecture, samples: network.sampleCount, seed: network.seedValue)
        let p = problem.parameterCount
        let analysis: ConvolutionalAnalysis
        do { analysis = try ConvolutionalAnalysis(problem, primes: rankOptions.primeChoice, certify: rankOptions.certify) } catch let error as CertifiedRank.TooLarge {
            throw CommandFailure(message: "--certify: \(error)")
        }
        let parts = analysis.parts.map { part in
            ConvolutionPart(part: part.part.rawValue, rank: part.rank, upperBound: part.tightest.value,
                            upperBoundStatement: part.tightest.statement, exact: part.exact, method: part.result.method.rawValue,
                            errorBound: part.result.errorBound,
                            primes: part.result.certified ? [] : part.result.primes.map { String($0) })
        }
        let report = ConvolutionReport(input: architecture.input.description, layers: layers!, parameters: p,
                                       samples: problem.sampleCount, seed: network.seed,
                                       unrolledWidths: [architecture.input.count] + architecture.shapes.map(\.count), parts: parts,
                                       inputExponents: given?.exponents)
        if json {
            print(String(decoding: try AnalysisReport.encoder().encode(report), as: UTF8.self))
            return
        }
        let source = weights.map { "from " + origin(weights: $0) } ?? "seed \(network.seed)"
        print("network: input \(report.input), layers \(report.layers); p = \(p), N = \(problem.sampleCount), K = \(architecture.outputWidth), \(source)")
        print("unrolled widths: " + report.unrolledWidths.map(String.init).joined(separator: ","))
        for part in parts {
            let symbol = HessianPart(rawValue: part.part)!.symbol
            let how = part.exact ? (part.method == RankResult.Method.multimodularCertified.rawValue ? "exact (certified)" : "exact: it meets `\(part.upperBoundStatement)` = \(part.upperBound)")
                : String(format: "a proven lower bound, low with probability <= %.1e", part.errorBound ?? 1)
            print("\(symbol): rank \(part.rank) of \(p) (\(how))")
        }
        let primes = Set(parts.flatMap(\.primes)).sorted()
        if !primes.isEmpty {
            print("primes: " + primes.joined(separator: ", ") + (rankOptions.givenPrimes.isEmpty ? " (drawn from the system's entropy; replay with --prime)" : " (given)"))
        }
    }
}
