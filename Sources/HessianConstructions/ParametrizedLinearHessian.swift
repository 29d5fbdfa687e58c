// The exact Hessians of a linear network whose layers are affine in their parameters, W_t = C_t + sum_i theta_i E_i:
// convolutions (Toeplitz matrices with shared kernel weights), dense layers, and biases carried by a constant 1
// (`ConvolutionalProblem.unrolledMatrices`). Under MSE, with f(x) = W_L ... W_1 x, a_{t,n} the input of layer t for
// sample n, B_t = W_L ... W_{t+1} and r_n = f(x_n) - y_n (proofs/convolution.md):
//
//   J_n[:, (t, i)] = B_t E_{t,i} a_{t,n}                                       (the Jacobian of sample n)
//   H_O = sum_n J_n^T J_n
//   H_F[(l, j), (k, i)] = sum_n r_n^T B_l E_{l,j} W_{l-1} ... W_{k+1} E_{k,i} a_{k,n}     (k < l; 0 for k = l)
//   H_L = H_O + H_F
//
// Each second derivative of f in theta is a product with two of the E's, since each layer is affine in its own
// parameters; a conv layer's E_{t,i} is the 0/1 matrix of the unrolled entries equal to theta_i, so these are the
// Hessians of the unrolled dense network summed over the entries each parameter stands for, H_theta = S^T H_W S, without
// forming H_W: the E's act through their positions (sparse), the products of layers as dense matrices. One algorithm
// (`ParametrizedHessians.compute`) over any `RingMatrix`: Z for exact matrices (tests, certificates, small networks),
// F_p for the ranks of large ones (`ParametrizedHessianSource`), magnitudes for their Hadamard bounds, and float64
// (`ParametrizedHessians.float`, at a dyadic point scaled by powers of two) for the spectra `calibrate` reads.
import ExactAlgebra
import NetworkModel

public enum ParametrizedHessians {
    /// The Jacobian (N K x p, samples' rows stacked) and H_O, H_F, H_L as far as `parts` asks, over the ring `lift`
    /// maps the integer inputs to.
    public static func compute<M: RingMatrix>(_ problem: ConvolutionalProblem, parts: Set<HessianPart>,
                                              lift: (IntegerMatrix) -> M) -> (jacobian: M, matrices: [HessianPart: M]) {
        compute(problem.architecture, unrolled: problem.unrolledMatrices.map(lift), inputColumns: lift(problem.inputColumns),
                targetColumns: lift(problem.y.transposed), parts: parts)
    }

    /// The same on inputs already in the ring: each layer's unrolled matrix (`ConvolutionalProblem.unrolledMatrices`'
    /// shapes, the parameters at the positions of `architecture.parametrization`), the inputs of layer 1 as columns
    /// (`inputColumns`' shape, one column per sample) and the targets as columns (K x N).
    public static func compute<M: RingMatrix>(_ a: ConvolutionalArchitecture, unrolled w: [M], inputColumns: M, targetColumns: M,
                                              parts: Set<HessianPart>) -> (jacobian: M, matrices: [HessianPart: M]) {
        let depth = a.depth, k = a.outputWidth, n = inputColumns.columnCount, p = a.parameterCount
        precondition(w.count == depth && targetColumns.rowCount == k && targetColumns.columnCount == n,
                     "ParametrizedHessians.compute: one matrix per layer, K x N targets")
        let one = w[0]
        // inputs[t]: the input of layer t for every sample, as columns.
        var inputs = [inputColumns]
        for t in 0..<(depth - 1) { inputs.append(w[t].times(inputs[t])) }
        let residuals = w[depth - 1].times(inputs[depth - 1]).minus(targetColumns)
        // after[t] = W_L ... W_{t+1} (K x rows of W_t).
        var after = Array(repeating: one.identity(k), count: depth)
        for t in stride(from: depth - 2, through: 0, by: -1) { after[t] = after[t + 1].times(w[t + 1]) }
        let entries = (0..<depth).map { a.parametrization($0) }
        let offsets = (0..<depth).map { a.parameterOffset($0) }

        var jacobian = one.zeros(n * k, p)
        for sample in 0..<n {
            for t in 0..<depth {
                for (i, positions) in entries[t].enumerated() {
                    for e in positions {
                        for c in 0..<k { jacobian.addProduct(sample * k + c, offsets[t] + i, after[t], c, e.row, inputs[t], e.column, sample) }
                    }
                }
            }
        }
        var matrices: [HessianPart: M] = [:]
        let outer = parts.contains(.outer) || parts.contains(.loss) ? jacobian.transposed.times(jacobian) : nil
        var functional: M? = nil
        if parts.contains(.functional) || parts.contains(.loss) {
            var h = one.zeros(p, p)
            for l in 1..<max(depth, 1) {
                // B_l^T r_n for every sample (rows of W_l x N).
                let backward = after[l].transposed.times(residuals)
                var between = one.identity(w[l].columnCount)
                for kLayer in stride(from: l - 1, through: 0, by: -1) {
                    // between = W_{l-1} ... W_{kLayer+1} (columns of W_l x rows of W_kLayer).
                    var block = one.zeros(entries[l].count, entries[kLayer].count)
                    for sample in 0..<n {
                        // E_{k,i} a_{k,n} as the columns of V, then W_{l-1} ... W_{k+1} V.
                        var v = one.zeros(w[kLayer].rowCount, entries[kLayer].count)
                        for (i, positions) in entries[kLayer].enumerated() {
                            for e in positions { v.addEntry(e.row, i, from: inputs[kLayer], e.column, sample) }
                        }
                        let carried = between.times(v)
                        // Row j of the block: (E_{l,j}^T B_l^T r_n)^T carried, a sum over E_{l,j}'s positions.
                        for (j, positions) in entries[l].enumerated() {
                            for e in positions {
                                for i in 0..<entries[kLayer].count { block.addProduct(j, i, backward, e.row, sample, carried, e.column, i) }
                            }
                        }
                    }
                    for i in 0..<block.rowCount {
                        for j in 0..<block.columnCount {
                            h.addEntry(offsets[l] + i, offsets[kLayer] + j, from: block, i, j)
                            h.addEntry(offsets[kLayer] + j, offsets[l] + i, from: block, i, j)
                        }
                    }
                    between = between.times(w[kLayer])
                }
            }
            functional = h
        }
        if parts.contains(.outer) { matrices[.outer] = outer! }
        if parts.contains(.functional) { matrices[.functional] = functional! }
        if parts.contains(.loss) { matrices[.loss] = outer!.plus(functional!) }
        return (jacobian, matrices)
    }
}

/// The three Hessians over Z: for tests, certificates and small networks.
public struct ParametrizedLinearHessian: Sendable {
    public let problem: ConvolutionalProblem
    public let jacobian: IntegerMatrix
    public let outer: IntegerMatrix
    public let functional: IntegerMatrix
    public let loss: IntegerMatrix

    public init(_ problem: ConvolutionalProblem) {
        let (jacobian, m) = ParametrizedHessians.compute(problem, parts: Set(HessianPart.allCases)) { $0 }
        self.problem = problem
        self.jacobian = jacobian
        outer = m[.outer]!
        functional = m[.functional]!
        loss = m[.loss]!
    }

    public func matrix(_ part: HessianPart) -> IntegerMatrix {
        switch part {
        case .loss: loss
        case .outer: outer
        case .functional: functional
        }
    }
}

extension ParametrizedLinearHessian: ExactHessian {
    public func dimension(of part: HessianPart) -> Int { problem.parameterCount }
    public func source(for part: HessianPart) -> IntegerMatrix { matrix(part) }
    /// H_O through its Jacobian (N K rows): the same rank over Q, fewer rows when N K < p.
    public func rankSource(for part: HessianPart) -> IntegerMatrix { part == .outer ? jacobian : matrix(part) }
    public func exactMatrix(_ part: HessianPart) -> IntegerMatrix { matrix(part) }
}

/// One part of a parametrised network's Hessians as a rank source that is never built over Z: each prime gets the
/// part computed modulo it, and the Hadamard bound comes from the same algorithm run on magnitudes. H_O is ranked
/// through its Jacobian (rank J = rank J^T J over Q).
public struct ParametrizedHessianSource: ExactRankSource {
    public let problem: ConvolutionalProblem
    public let part: HessianPart

    public init(_ problem: ConvolutionalProblem, part: HessianPart) {
        self.problem = problem
        self.part = part
    }

    public var rowCount: Int { part == .outer ? problem.sampleCount * problem.architecture.outputWidth : problem.parameterCount }
    public var columnCount: Int { problem.parameterCount }

    public func reduced(modulo prime: UInt) -> ModularMatrix {
        let (jacobian, m) = ParametrizedHessians.compute(problem, parts: part == .outer ? [] : [part]) { ModularMatrix($0, prime: prime) }
        return part == .outer ? jacobian : m[part]!
    }

    public func rowNormLog2Bounds() -> [Double?] {
        let (jacobian, m) = ParametrizedHessians.compute(problem, parts: part == .outer ? [] : [part]) { MagnitudeMatrix($0) }
        return (part == .outer ? jacobian : m[part]!).rowNormLog2Bounds()
    }
}

extension ParametrizedHessians {
    /// The ranks of H_L, H_O, H_F (in `HessianPart.allCases`' order) modulo each of `choice`'s primes, all three from
    /// one pass of the algorithm per prime (H_O through the Jacobian), and their error bounds from one pass over
    /// magnitudes: what `ModularRank.rank(of: ParametrizedHessianSource(...))` gives part by part, at a third of the
    /// work.
    public static func ranks(_ problem: ConvolutionalProblem, primes choice: PrimeChoice) -> [RankResult] {
        let primes = choice.draw()
        let clock = ContinuousClock()
        var best = Array(repeating: 0, count: HessianPart.allCases.count)
        var reduction = 0.0, elimination = 0.0
        let all = Set(HessianPart.allCases).subtracting([.outer])
        for prime in primes {
            let start = clock.now
            let (jacobian, m) = compute(problem, parts: all) { ModularMatrix($0, prime: prime) }
            let built = clock.now
            for (i, part) in HessianPart.allCases.enumerated() {
                best[i] = max(best[i], (part == .outer ? jacobian : m[part]!).rankOverwriting())
            }
            reduction += (built - start).seconds
            elimination += (clock.now - built).seconds
        }
        var bounds: [HessianPart: Double]? = nil
        if choice.isRandom {
            let (jacobian, m) = compute(problem, parts: all) { MagnitudeMatrix($0) }
            bounds = Dictionary(uniqueKeysWithValues: HessianPart.allCases.map { part in
                (part, ModularRank.errorBound(rowNormLog2Bounds: (part == .outer ? jacobian : m[part]!).rowNormLog2Bounds(),
                                              primeCount: primes.count))
            })
        }
        return HessianPart.allCases.enumerated().map { i, part in
            RankResult(rank: best[i], method: .monteCarloModular, primes: primes, errorBound: bounds?[part],
                       reductionSeconds: reduction / 3, eliminationSeconds: elimination / 3)
        }
    }
}

// The float path: the same algorithm in float64, at the dyadic point a float pipeline would hold. The integer problem's
// theta, x and y are scaled by powers of two: W_t's entries by 2^-a_t, x by 2^-b, y by 2^-c, and b_t (layer t's bias)
// by 2^-s_t with s_t = a_1 + ... + a_t + b, the scale of layer t's pre-activation (the constant 1 that carries the
// biases stays 1). Why the float Hessian is a diagonal power-of-two scaling of an exact one (proofs/convolution.md):
// write D = diag(2^d_i) with d_i = a_t for a weight of layer t and s_t for a bias of layer t, and S = s_L. Each layer
// is linear in its own parameters, W_t(theta) = 2^-a_t W_t(2^a_t theta), so for every theta (not only at this point)
// f_float(theta; x / 2^b) = f~(D theta; x) / 2^S: a product of L layers picks up 2^-(a_1 + ... + a_L + b) = 2^-S, and
// the term of bias b_t, W_L ... W_{t+1} b_t, picks up 2^-(a_{t+1} + ... + a_L) 2^-s_t = 2^-S as well. With
// y~' = 2^(S - c) y (an integer, since S >= c here: `matchedProblem`), y / 2^c = y~' / 2^S, so the float loss is
// l_float(theta) = l~(D theta) / 2^(2S), with l~ the loss of the integer problem (theta, x, y~'). Differentiating twice:
// H_float = D H~ D / 2^(2S) at theta_float = D^-1 theta, and likewise H_O (J_float = J~ D / 2^S) and H_F. D is
// invertible, so every part has the rank of the exact integer part; the float64 matrices differ from these only by
// rounding (every input is exact: an integer below 2^53 times a power of two).
extension ParametrizedHessians {
    /// The power of two each parameter is divided by on the float path: a_t for layer t's weights, a_1 + ... + a_t + b
    /// for its biases (the scale of its pre-activation). theta_float = theta / 2^d, entrywise.
    public static func parameterExponents(_ a: ConvolutionalArchitecture, weightExponents: [Int], dataExponent b: Int) -> [Int] {
        precondition(weightExponents.count == a.depth, "ParametrizedHessians: one weight exponent per layer")
        var exponents: [Int] = [], scale = b
        for t in 0..<a.depth {
            scale += weightExponents[t]
            let weights = a.parameterCount(t) - a.biasCount(t)
            exponents += Array(repeating: weightExponents[t], count: weights) + Array(repeating: scale, count: a.biasCount(t))
        }
        return exponents
    }

    /// The integer problem whose exact Hessians H~ give the float ones as D H~ D / 2^(2S) (see above): the same theta
    /// and x, the targets times 2^(S - c), S = a_1 + ... + a_L + b. Needs S >= c (so the targets stay integers), as for
    /// every drawn network (a_t >= 4, b = c = 4).
    public static func matchedProblem(_ problem: ConvolutionalProblem, weightExponents: [Int], dataExponent b: Int,
                                      targetExponent c: Int) -> ConvolutionalProblem {
        let shift = weightExponents.reduce(b, +) - c
        precondition(shift >= 0, "ParametrizedHessians.matchedProblem: the targets' exponent exceeds the output's")
        // Shapes are unchanged, so the problem stays valid.
        return try! ConvolutionalProblem(architecture: problem.architecture, parameters: problem.parameters, x: problem.x,
                                         y: problem.y.multiplied(byPowerOfTwo: shift))
    }

    /// The float64 Hessians `parts` of `problem` read at the dyadic point theta / 2^d (`parameterExponents`),
    /// x / 2^dataExponent, y / 2^targetExponent: `compute` over `DoubleMatrix`, products by BLAS, as a float pipeline
    /// computes them. Equal to D H~ D / 2^(2S) for the exact Hessians H~ of `matchedProblem`, up to rounding.
    public static func float(_ problem: ConvolutionalProblem, weightExponents: [Int], dataExponent: Int, targetExponent: Int,
                             parts: Set<HessianPart>) -> [HessianPart: DoubleMatrix] {
        let a = problem.architecture
        let exponents = parameterExponents(a, weightExponents: weightExponents, dataExponent: dataExponent)
        // The integer unrolled matrices, then each parameter's positions divided by its power of two (exact); the
        // constant 1 of the biases is no parameter and stays.
        var unrolled = problem.unrolledMatrices.map(DoubleMatrix.init)
        for t in 0..<a.depth {
            let offset = a.parameterOffset(t)
            for (i, positions) in a.parametrization(t).enumerated() {
                let divisor = Double(sign: .plus, exponent: -exponents[offset + i], significand: 1)
                for e in positions { unrolled[t][e.row, e.column] *= divisor }
            }
        }
        var inputs = DoubleMatrix(problem.inputColumns)
        let dataDivisor = Double(sign: .plus, exponent: -dataExponent, significand: 1)
        for i in 0..<a.input.count { for n in 0..<problem.sampleCount { inputs[i, n] *= dataDivisor } }
        let targets = DoubleMatrix(problem.y.transposed).scaled(byPowerOfTwo: -targetExponent)
        return compute(a, unrolled: unrolled, inputColumns: inputs, targetColumns: targets, parts: parts).matrices
    }
}
