// `rank --input 1x8x8 --layers conv:4:3:same,dense:10 --samples N`: the exact ranks of a linear convolutional
// network's Hessians (`ParametrizedLinearHessian`, proofs/convolution.md) at a drawn integer point.
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
        guard let input, let layers else { throw ValidationError("--layers and --input go together, e.g. --input 1x8x8 --layers conv:4:3:same,dense:10") }
        let architecture: ConvolutionalArchitecture
        do { architecture = try ConvolutionalArchitecture(input: input, layers: layers, bias: network.bias) } catch {
            throw ValidationError(error.message)
        }
        guard network.arch == nil, weights == nil, !data.given, network.dataRank == nil else {
            throw ValidationError("--layers: the network is --input and --layers; leave out --arch, --weights, --x, --y and --data-rank")
        }
        guard let samples = network.samples, (Int(samples) ?? 0) >= 1 else {
            throw ValidationError("--layers: give the number of samples with --samples N")
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
    }

    func runConvolution() throws {
        let architecture = convolutionalArchitecture
        let problem = try ConvolutionalProblem.draw(architecture, samples: network.sampleCount, seed: network.seedValue)
        let exact = rankOptions.certify ? ParametrizedLinearHessian(problem) : nil
        let p = problem.parameterCount
        let bounds = try PointUpperBounds.bounds(problem)
        // Modulo primes, the three parts come from one pass per prime.
        let modular = exact == nil ? ParametrizedHessians.ranks(problem, primes: rankOptions.primeChoice) : []
        var parts: [ConvolutionPart] = []
        for (index, part) in HessianPart.allCases.enumerated() {
            let result: RankResult
            if let exact {
                do { result = try CertifiedRank.rank(of: exact.rankSource(for: part)) } catch { throw CommandFailure(message: "--certify: \(error)") }
            } else {
                result = modular[index]
            }
            let bound = UpperBound.tightest(bounds[part]!)!
            parts.append(ConvolutionPart(part: part.rawValue, rank: result.rank, upperBound: bound.value, upperBoundStatement: bound.statement,
                                         exact: result.certified || result.rank == bound.value, method: result.method.rawValue,
                                         errorBound: result.errorBound,
                                         primes: result.certified ? [] : result.primes.map { String($0) }))
        }
        let report = ConvolutionReport(input: architecture.input.description, layers: layers!, parameters: p,
                                       samples: problem.sampleCount, seed: network.seed,
                                       unrolledWidths: [architecture.input.count] + architecture.shapes.map(\.count), parts: parts)
        if json {
            print(String(decoding: try AnalysisReport.encoder().encode(report), as: UTF8.self))
            return
        }
        print("network: input \(report.input), layers \(report.layers); p = \(p), N = \(problem.sampleCount), K = \(architecture.outputWidth), seed \(network.seed)")
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
