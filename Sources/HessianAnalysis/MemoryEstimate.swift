// How much memory a command takes for one network, so that a network too large for the machine is refused up front
// with a figure (--max-memory), not killed half-way; and the one place where sizes that involve the samples are
// computed. Every count here is computed with overflow checks (`Count`); a count beyond Int.max means "more than
// 8 EiB" (`bytes` returns nil), which every limit refuses, so no later size product can overflow either
// (`Architecture` has already checked p^2).
//
// The model is an upper bound on the peak resident memory, built from what the code allocates; every term below
// names what it covers. Notation: p parameters, N samples, widths w_0 = d, ..., w_L = K, S_in = w_0 + ... + w_{L-1},
// S_out = w_1 + ... + w_L, w the largest width. Phases that can be alive together are added; phases that follow
// each other and free what they built take the maximum. Tests/scripts/memory-check.sh measures the peak RSS of
// every command on a spread of shapes against its estimate (estimate / peak 1.1 to 2.2 for rank, fixtures,
// calibrate, bias, sweep and bench; 2.5 to 3.1 for networks of width 1 and depth 200; 1.8 to 9.9 for certify, whose
// self-check the model can only bound loosely: see the last paragraph).
//
// Baseline: 40 MiB, the process before any work (measured 25 to 33 MiB: runtime, Foundation, FLINT, OpenBLAS).
//
// Integer matrices (FLINT fmpz_mat): 8 bytes an entry, and for an entry beyond 62 bits an mpz as well: 16 bytes, a
// slot in FLINT's free list and a malloc'd block of at least two limbs, which FLINT keeps in a per-thread cache once
// the entry is freed (so temporaries count as if alive to the end); and 256 bytes a matrix (the Swift storage object,
// the fmpz_mat struct, the allocations of its entries and row pointers, the product block holding it), which is what
// deep narrow networks spend most on. Entry sizes follow from the draw: |weight|, |data| <= 2^v (v = 4 for the
// integer draws, 4 + log2 r for X = U V of rank r, 20 for the ReLU large-value draws, the files' own bits for
// --weights) and |target| <= 2^vy (vy = v but for calibrate's scaled targets). An entry that is a sum of products of at
// most f values, at most two of them targets, over as many indices of range at most max(w, N) has at most
// f (v + log2 max(w, N)) + 2 (vy - v) + 1 bits. f = 2L for a Hessian's entries, 2L + 2 for the partial products,
// moments and the structured Hessian's factors, 2L (summed over widths only) for matrices with a sample dimension
// (X B_t^T, W^{k:1} X^T) and the ReLU per-sample blocks, and for the reduced Hessians' blocks (up to 6L + 6,
// `ReducedHessian.entryDegreeBound`) the degree of each pair of layers' factors. In generic mode every factor is a
// residue below 2^63 and every product before its reduction is below 2^126 max(w, N): 64 bytes an entry. Entries:
//   problem      p + N d + N K (+ N r + r d for X = U V)
//   products     sum over l <= k of w_{k+1} w_l (the partial products W^{k:l})
//   moments      d^2 + 3 K d + d S_in (Sxx, Syx, Omega, temporaries); 2 d N (X^T, twice)
//   structured   S_in^2 + S_out^2 (H_O's blocks) + 3 S_in S_out + K S_in (H_F's, temporaries); N S_in (J's blocks)
//   reduced      per part and pair of layers the factors m_t m_u, n_t n_u (Kronecker blocks) and 2 (n_t m_u + n_u m_t)
//                (crossed blocks), with m_t, n_t the sums of layer t's pieces' sizes (`ReducedHessian.layout`; see
//                `Sizes.reduced` for the whole layers); the pieces; K m_t and N n_t for J Q
//   ReLU         per sample S_in^2 + S_out^2 + the H_F blocks' factors + S_in + K S_out; one sample's masks
//   transient    w (2 d + K + 4 w) (products of pieces and moments); w N (one W^{k:1} X^T)
//
// Residue matrices (FLINT nmod_mat): 8 bytes an entry and a row pointer. LU (nmod_mat_lu) eliminates in place below
// 80 rows or columns; above, the recursive LU allocates at most as much again: at its top level the Schur
// complement's product (at most half the matrix), Strassen's temporaries (at most a quarter, recursion included)
// and classical multiplication's transposed copies, while the halves' own LUs come before and after. rank ranks the
// three parts concurrently, so their matrices (`ReducedHessian.rankedShape`; or p x p, and J (N K x p) for H_O when
// N K < p) and workspaces are added, with each task's row-norm sums (two big integers a row) and one block's factor
// residues; the primes of one part (several, or a certification's) follow each other. The data's rank (N x d) and
// the genericity ranks (w x N, w x w) come first and are added.
//
// Float matrices (calibrate, fixtures): the three Hessians in Double, 24 p^2, kept to the end, with the per-sample
// Jacobian columns; a spectrum copies one Hessian twice (Swift's copy, LAPACKE's row-major transpose), 16 p^2, plus
// 16 MiB for LAPACK's and OpenBLAS's buffers. fixtures also keeps each Hessian's .npy bytes (8 p^2) and builds them
// from the exact p x p integer matrix through the Double values, the payload, its concatenation with the header and
// the Data (at most 40 p^2 with the arrays' growth); per part the largest of that, the exact rank and the spectrum.
//
// calibrate: per activation in turn, the problem twice (the float path's and the scaled integer one, whose targets
// carry 2^(sum a_t + b), `Calibrator`), the float Hessians, and the larger of one part's exact rank and a spectrum.
// bias: the bias network's problem, the augmented network's structured Hessian over F_p and the decimal strings the
// augmented problem is built from; per part in turn the augmented p' x p' residues and the principal submatrix (at
// most p' x p') with its LU workspace.
//
// certify: per part in turn, the residues twice, the echelon form's workspace and the pivot minor, at most 24 p^2;
// the certificate's text and JSON objects, 2 KiB per value of the network and data. Then the independent check: the
// Int128 Hessians (48 p^2) with the per-sample Jacobian columns and, per part in turn, the modular determinant of the
// rho x rho minor (24 rho^2) or the exact span check: the minor, the other columns, the solution X and its
// denominator den, H[:, witness] X beside den H[:, others] (8 bytes a slot), with FLINT's Dixon solver's p-adic
// approximation (at most 1.4 (num + den) bits, its stabilisation test's schedule) and the rationals it rebuilds. Their
// size is den's, which is known only once solved: Hadamard's bound holds but is 10 to 40 times the den measured on
// these structured Hessians. The model takes den <= kappa rho bits with kappa = 2 (L + 1) for linear networks and
// half the Hessian entries' bound for ReLU networks, capped by Hadamard's: a measured bound, not a proven one (den /
// (kappa rho) was at most 0.53 on linear and 0.43 on ReLU networks over 88 parts of certificates of depth 2 to 12;
// 9.5 bits a row at L = 8, 24.6 for ReLU at L = 7). rho ranges up to the part's bound (p; the reduced dimension for a
// linear network, proofs/reduced-hessian.md; N K for H_O) and the estimate takes the worst: certify's estimate is the
// loosest, 2 to 10 times the measured peak.
import Foundation
import HessianConstructions
import NetworkModel

public enum MemoryEstimate {
    /// What a command builds for one network.
    public enum Workload: Sendable, Equatable {
        /// `rank`, `sweep`, `bench`: the three parts ranked concurrently, through the reduced Hessians (`reduced`,
        /// linear networks) or the full ones; `generic` over F_p. --certify ranks two primes of a part at a time, each
        /// matrix in doubles (8 bytes an entry, like a residue) and eliminated in place, which stays within the
        /// estimate of one residue matrix and its LU workspace (measured: 196 MB peak against an estimate of 297 MiB
        /// for the reduced Hessians of 64,56,56,10, N = 100).
        case rank(reduced: Bool, activation: Activation = .linear, generic: Bool = false)
        /// `certify`: the witnesses of every part, then the independent check.
        case certify(activation: Activation)
        /// `fixtures`: exact ranks, the exact and float Hessians as .npy files, their spectra.
        case fixtures(activation: Activation)
        /// `calibrate`: the float Hessians and spectra beside the exact ranks, for each activation in turn; the float
        /// path divides the integer data by 2^dataExponent.
        case calibrate(activations: [Activation], dataExponent: Int)
        /// `bias`: the Hessians of a network with a bias in every layer, over F_p, through its augmented network: the
        /// architecture given is the augmented one (`Problem.augmentedArchitecture`).
        case bias

        /// The bits of the largest integer slope of a leaky ReLU among the activations; nil when there is none.
        var slopeBits: Int? {
            let activations: [Activation]
            switch self {
            case let .rank(_, activation, _): activations = [activation]
            case .certify(let activation), .fixtures(let activation): activations = [activation]
            case .calibrate(let all, _): activations = all
            case .bias: activations = []
            }
            let bits = activations.compactMap { activation -> Int? in
                guard case .leakyReLU(let s) = activation else { return nil }
                return MemoryEstimate.bitLength(max(abs(s.numerator), s.denominator))
            }
            return bits.max()
        }

        /// The same workload with leaky ReLUs counted as ReLUs (their slopes then counted in the values' size).
        var withoutSlopes: Workload {
            func plain(_ a: Activation) -> Activation { if case .leakyReLU = a { .relu } else { a } }
            switch self {
            case let .rank(reduced, activation, generic): return .rank(reduced: reduced, activation: plain(activation), generic: generic)
            case .certify(let activation): return .certify(activation: plain(activation))
            case .fixtures(let activation): return .fixtures(activation: plain(activation))
            case let .calibrate(all, exponent): return .calibrate(activations: all.map(plain), dataExponent: exponent)
            case .bias: return .bias
            }
        }

        /// "reduced Hessians" or "Hessians", for messages.
        public var matrices: String {
            if case .rank(true, _, _) = self { return "reduced Hessians" }
            return "Hessians"
        }
    }

    /// How large the values of the network, data and targets are.
    public enum Values: Sendable, Equatable {
        /// `Generator.draw`: in -16...16 (X = U V up to 16 r for a prescribed data rank r).
        case integers
        /// `Generator.drawLargeValues`: in -2^20...2^20.
        case large
        /// Generic mode: residues modulo a 63-bit prime.
        case field
        /// Given exactly (files): every |value| below 2^bits.
        case bits(Int)
    }

    /// The process before any work.
    public static let baseline = 40 << 20
    /// LAPACK's and OpenBLAS's buffers for a spectrum.
    static let lapackBuffers = 16 << 20

    /// The estimate in bytes, or nil when it (or a size it is made of) exceeds Int.max: more than any machine holds.
    public static func bytes(_ workload: Workload, _ architecture: Architecture, samples: Int, dataRank: Int? = nil,
                             values: Values = .integers) -> Int? {
        guard samples >= 1 else { return nil }
        // A network with biases is built through its augmented bias-free network (`Problem.augmented`), whose sizes
        // bound its own.
        if architecture.bias {
            guard let augmented = try? Problem.augmentedArchitecture(architecture) else { return nil }
            return bytes(workload, augmented, samples: samples, dataRank: dataRank.map { min($0 + 1, samples) }, values: values)
        }
        // A leaky ReLU with slope a/b is built with integer slopes a and b (`Activation`): every value a product
        // carries may be multiplied by one of them, so count them as values that many bits larger.
        if let slopeBits = workload.slopeBits, values != .field {
            let v: Int
            switch values {
            case .integers: v = 4 + bitLength(dataRank ?? 0)
            case .large: v = 20
            case .bits(let bits): v = bits
            case .field: v = 63
            }
            return bytes(workload.withoutSlopes, architecture, samples: samples, dataRank: dataRank, values: .bits(v + slopeBits))
        }
        let estimate: Count
        switch workload {
        case let .rank(reduced, activation, generic):
            let s = Sizes(architecture, samples: samples, dataRank: dataRank, values: generic ? .field : values)
            estimate = rank(s, reduced: reduced, relu: activation.hasKinks)
        case .certify(let activation):
            estimate = certify(Sizes(architecture, samples: samples, dataRank: dataRank, values: values), relu: activation.hasKinks)
        case .fixtures(let activation):
            estimate = fixtures(Sizes(architecture, samples: samples, dataRank: dataRank, values: values), relu: activation.hasKinks)
        case let .calibrate(activations, dataExponent):
            // The integer problem's targets carry 2^(sum a_t + b) (`Calibrator`: a_t = 4 + ceil(log2 sqrt(w_t))).
            let shift = architecture.widths.dropLast().reduce(dataExponent) { $0 + 4 + (bitLength($1) + 1) / 2 }
            let s = Sizes(architecture, samples: samples, dataRank: dataRank, values: values, targetBits: shift + 4)
            estimate = activations.reduce(Count(0)) { .maximum($0, calibrate(s, activation: $1)) }
        case .bias:
            estimate = bias(Sizes(architecture, samples: samples, dataRank: dataRank, values: .field))
        }
        return (Count(baseline) + estimate).value
    }

    // MARK: - Commands

    static func rank(_ s: Sizes, reduced: Bool, relu: Bool) -> Count {
        var integers = s.structured
        if reduced { integers = integers + s.reduced }
        if relu { integers = integers + s.relu }
        let parts = (reduced ? s.reducedShapes : s.fullShapes).reduce(Count(0)) { total, shape in
            total + elimination(shape.rows, shape.columns) + s.taskTransients(shape)
        }
        return integers + s.preliminaryRanks + parts
    }

    static func certify(_ s: Sizes, relu: Bool) -> Count {
        let builder = 24 * s.p * s.p + 8 * s.p
        let check = 48 * s.p * s.p + s.p * (16 * s.k + 64) + 64 * s.values
            + .maximum(24 * s.p * s.p + 96 * s.p, spanCheck(s, relu: relu))
        return (relu ? s.structured + s.relu : s.structured) + 2048 * s.values + .maximum(builder, check)
    }

    static func fixtures(_ s: Sizes, relu: Bool) -> Count {
        let files = 24 * s.p * s.p + 8 * s.values + Count(64 << 10)
        let exactFile = s.p * s.p * s.hessianEntry + 40 * s.p * s.p
        let part = Count.maximum(elimination(s.p, s.p), exactFile, spectrum(s))
        return (relu ? s.structured + s.relu : s.structured) + floatHessians(s) + files + part + elimination(s.n, s.d)
    }

    static func calibrate(_ s: Sizes, activation: Activation) -> Count {
        guard activation.isPiecewiseLinear else {
            return 2 * s.problem + floatHessians(s) + spectrum(s) + elimination(s.n, s.d)
        }
        let exact = s.fullShapes.reduce(Count(0)) { .maximum($0, elimination($1.rows, $1.columns) + s.taskTransients($1)) }
        return s.problem + (activation.hasKinks ? s.problem + s.relu : s.structured) + floatHessians(s)
            + .maximum(exact, spectrum(s)) + elimination(s.n, s.d)
    }

    /// `s`: the augmented network's sizes, which bound the bias network's (p, d, biases) too.
    static func bias(_ s: Sizes) -> Count {
        // The augmented weights and data are assembled through decimal strings (`Problem.augmented`).
        let strings = 128 * s.values
        let part = residue(s.p, s.p) + elimination(s.p, s.p)
        return s.problem + s.structured + s.sum * s.productEntry + strings + part + 2 * elimination(s.n, s.d)
    }

    // MARK: - Terms

    /// A residue matrix: 8 bytes an entry and a row pointer.
    static func residue(_ rows: Count, _ columns: Count) -> Count { 8 * rows * columns + 8 * rows }

    /// A residue matrix and the workspace of its LU decomposition: at most as much again (see the top of the file),
    /// and none below 80 rows or columns, where FLINT eliminates in place.
    static func elimination(_ rows: Count, _ columns: Count) -> Count {
        let inPlace = (Count.minimum(rows, columns).value ?? Int.max) < 80
        return (inPlace ? 1 : 2) * residue(rows, columns)
    }

    /// The float Hessians (24 p^2), the per-sample Jacobian columns and parameter table, the float network and data.
    static func floatHessians(_ s: Sizes) -> Count {
        24 * s.p * s.p + s.p * (8 * s.k + 72) + 8 * s.values + 64 * (s.n + s.p)
    }

    /// One spectrum: two copies of a p x p Hessian in Double, and LAPACK's buffers.
    static func spectrum(_ s: Sizes) -> Count { 16 * s.p * s.p + Count(lapackBuffers) }

    /// The check's exact span test (see the top of the file), maximised over the part checked and its rank rho:
    /// rho is at most p, and for a linear network at most the reduced dimension of the part (col(H) lies in col(Q),
    /// proofs/reduced-hessian.md); rank H_O = rank J is at most N K.
    static func spanCheck(_ s: Sizes, relu: Bool) -> Count {
        guard let p = s.p.value, let bits = s.hessianBits else { return Count(nil) }
        let logP = bitLength(p)
        let (nk, overflow) = s.samples.multipliedReportingOverflow(by: s.architecture.outputWidth)
        let outerRank = overflow ? p : min(p, nk)
        let ranks = relu ? [p, outerRank, p]
            : HessianPart.allCases.map { part in
                min(ReducedHessian.layout(for: part, architecture: s.architecture, samples: s.samples).reduce(0) { $0 + $1.count },
                    part == .outer ? outerRank : p)
            }
        // den <= kappa rho bits (measured), and never above Hadamard's bound for rho rows of entries of `bits` bits.
        let kappa = min(relu ? bits / 2 : 2 * (s.depth + 1), bits + logP)
        func total(_ rho: Int) -> Count {
            let (r, c, n) = (Count(rho), Count(p - rho), s.p)
            let den = Count(kappa) * r
            let slots = 8 * (r * r + 2 * r * c + n * r + 2 * n * c) + 56 * r * c + 48 * r * r
            func big(_ count: Count, _ entryBits: Count) -> Count { count * (integerBytes(entryBits) + -8) }
            return slots + big(r * r + r * c + n * r + n * c, Count(bits))
                + big(r * c, 3 * den + 64) + big(3 * r * c, den + 8) + big(3 * r * c, Count(bits + 64 + logP))
                + big(2 * n * c, den + Count(bits + logP))
        }
        // Every rank up to the part's bound; a p beyond the certification limit (refused anyway) is sampled.
        let step = max(1, p / 4_096)
        return stride(from: 0, through: ranks.max()!, by: step).reduce(Count(0)) { .maximum($0, total($1)) }
    }

    /// Bytes of one integer entry of at most `bits` bits (at most 2^56): the fmpz, and beyond 62 bits its mpz (16
    /// bytes, FLINT's free-list slot, malloc's block of at least two limbs).
    static func integerBytes(bits: Int) -> Int {
        guard bits > 62 else { return 8 }
        let limbs = max(2, (bits + 63) / 64)
        return 8 + 16 + 8 + max(32, (8 * limbs + 8 + 15) / 16 * 16)
    }

    /// `integerBytes(bits:)` for a checked number of bits: nil beyond 2^56 bits an entry.
    static func integerBytes(_ bits: Count) -> Count {
        guard let bits = bits.value, bits <= 1 << 56 else { return Count(nil) }
        return Count(integerBytes(bits: bits))
    }

    /// The number of bits of n (n >= 0): ceil(log2(n + 1)).
    static func bitLength(_ n: Int) -> Int { Int.bitWidth - n.leadingZeroBitCount }

    // MARK: - Presentation

    /// "512.0 MiB", "12.30 GiB", "3.0 TiB", ... "1.2e+15 EiB".
    public static func describe(_ bytes: Double) -> String {
        if bytes < Double(1 << 30) { return String(format: "%.1f MiB", bytes / Double(1 << 20)) }
        if bytes < Double(1 << 40) { return String(format: "%.2f GiB", bytes / Double(1 << 30)) }
        for (unit, scale) in [("TiB", Double(1 << 40)), ("PiB", Double(1 << 50))] where bytes < 1024 * scale {
            return String(format: "%.1f \(unit)", bytes / scale)
        }
        let eib = bytes / Double(1 << 60)
        return eib < 1024 ? String(format: "%.1f EiB", eib) : String(format: "%.1e EiB", eib)
    }

    /// Parses "8G", "8GiB", "512M", "512MiB", "1048576" (bytes).
    public static func parse(_ text: String) -> Double? {
        let (gib, mib, kib) = (Double(1 << 30), Double(1 << 20), Double(1 << 10))
        let units: [(String, Double)] = [("GiB", gib), ("G", gib), ("MiB", mib), ("M", mib), ("KiB", kib), ("K", kib)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value > 0, (value * scale).isFinite else { return nil }
            return value * scale
        }
        guard let value = Double(text), value > 0, value.isFinite else { return nil }
        return value
    }
}

/// A count or a size in bytes, computed with overflow checks: nil once it would exceed Int.max, and nil from then on.
struct Count: ExpressibleByIntegerLiteral, Sendable {
    let value: Int?

    init(_ value: Int?) { self.value = value }
    init(integerLiteral value: Int) { self.value = value }

    static func + (a: Count, b: Count) -> Count {
        guard let x = a.value, let y = b.value else { return Count(nil) }
        let (sum, overflow) = x.addingReportingOverflow(y)
        return Count(overflow ? nil : sum)
    }

    static func * (a: Count, b: Count) -> Count {
        guard let x = a.value, let y = b.value else { return Count(nil) }
        let (product, overflow) = x.multipliedReportingOverflow(by: y)
        return Count(overflow ? nil : product)
    }

    static func maximum(_ counts: Count...) -> Count {
        counts.reduce(Count(0)) { a, b in
            guard let x = a.value, let y = b.value else { return Count(nil) }
            return Count(max(x, y))
        }
    }

    static func minimum(_ a: Count, _ b: Count) -> Count {
        guard let x = a.value, let y = b.value else { return Count(nil) }
        return Count(min(x, y))
    }
}

/// The sizes of one network and its data that the estimate is made of, each checked, and the bytes of an integer
/// entry of each kind of matrix (see the top of the file).
struct Sizes {
    let architecture: Architecture
    let widths: [Int]
    let depth: Int
    let samples: Int
    let dataRank: Int?
    let p, n, d, k: Count
    /// S_in = w_0 + ... + w_{L-1}, S_out = w_1 + ... + w_L, and all widths.
    let inSum, outSum, sum: Count
    let widest: Count
    /// Bits of a Hessian entry (nil when the bound is beyond 2^40).
    let hessianBits: Int?
    /// Bytes of an integer entry: of the problem; of a Hessian; of a product of at most 2L + 2 values (partial
    /// products, moments, the structured Hessian's factors) or with a sample dimension or from one sample (2L, summed
    /// over widths only).
    let problemEntry, hessianEntry, productEntry, sampleEntry: Count
    /// Bytes of an entry that is a product of `degree` values at most (summed over samples too), for degree up to
    /// 6L + 6 (the reduced Hessians' blocks).
    let entryOfDegree: [Count]

    /// Bytes of one FLINT matrix besides its entries: the Swift storage object, the fmpz_mat struct, the allocations
    /// of its entries and row pointers (rounded up), and the product block that holds it.
    static let matrixOverhead = 256

    /// `targetBits`: the targets' own bound when it differs from the other values' (calibrate's scaled targets).
    init(_ architecture: Architecture, samples: Int, dataRank: Int?, values: MemoryEstimate.Values, targetBits: Int? = nil) {
        self.architecture = architecture
        widths = architecture.widths
        depth = architecture.depth
        self.samples = samples
        self.dataRank = dataRank
        p = Count(architecture.parameterCount)
        n = Count(samples)
        d = Count(architecture.inputWidth)
        k = Count(architecture.outputWidth)
        inSum = widths.dropLast().reduce(Count(0)) { $0 + Count($1) }
        outSum = widths.dropFirst().reduce(Count(0)) { $0 + Count($1) }
        sum = widths.reduce(Count(0)) { $0 + Count($1) }
        widest = Count(widths.max()!)

        // |weight|, |data| <= 2^v and |target| <= 2^vy. An entry that is a sum of products of at most `factors`
        // values (at most two of them targets) over as many indices, each ranging over at most 2^range values, has
        // at most factors (v + range) + 2 (vy - v) + 1 bits.
        let v: Int
        switch values {
        case .integers: v = 4 + MemoryEstimate.bitLength(dataRank ?? 0)
        case .large: v = 20
        case .field: v = 63
        case .bits(let bits): v = min(max(bits, 1), 1 << 24)
        }
        let extra = 2 * max(0, min(targetBits ?? v, 1 << 24) - v)
        let spread = MemoryEstimate.bitLength(max(widths.max()!, samples, 2))
        let narrow = MemoryEstimate.bitLength(widths.max()!)
        func bound(_ factors: Int, _ range: Int) -> Int? {
            let bits = factors * (v + range) + extra + 1
            return bits <= 1 << 40 ? bits : nil
        }
        func entry(_ bits: Int?) -> Count {
            values == .field ? 64 : bits.map { Count(MemoryEstimate.integerBytes(bits: $0)) } ?? Count(nil)
        }
        hessianBits = values == .field ? 127 + spread : bound(2 * depth, spread)
        problemEntry = entry(v + extra + 1)
        hessianEntry = entry(hessianBits)
        productEntry = entry(bound(2 * depth + 2, spread))
        sampleEntry = entry(bound(2 * depth, narrow))
        entryOfDegree = (0...ReducedHessian.entryDegreeBound(depth: depth)).map { entry(bound($0, spread)) }
    }

    /// The values of the network and data: p + N d + N K.
    var values: Count { p + n * d + n * k }

    /// The problem (and U, V for a prescribed data rank), in bytes.
    var problem: Count {
        var entries = values
        if let r = dataRank { entries = entries + n * Count(r) + Count(r) * d }
        return entries * problemEntry + 4 * Count(Self.matrixOverhead)
    }

    /// The problem, the partial products, the moments, the structured Hessian's blocks and the transients, in bytes.
    var structured: Count {
        var products = Count(0)
        for l in 0..<depth { for j in l..<depth { products = products + Count(widths[j + 1]) * Count(widths[l]) } }
        let moments = d * d + 3 * k * d + d * inSum
        let blocks = inSum * inSum + outSum * outSum + 3 * inSum * outSum + k * inSum
        let transients = widest * (2 * d + k + 4 * widest)
        // X^T (twice), X B_t^T for every layer, one W^{k:1} X^T at a time.
        let withSamples = 2 * d * n + n * inSum + widest * n
        // Partial products, H_O's and H_F's factors with their temporaries, J's.
        let matrices = Count(depth) * Count(depth) * 6 + Count(depth) * 4
        return problem + (products + moments + blocks + transients) * productEntry + withSamples * sampleEntry
            + matrices * Count(Self.matrixOverhead)
    }

    /// The three parts' pieces and blocks of the reduced Hessians, and J Q, in bytes. A layer counts its pieces
    /// where the reduction splits it, and where it keeps the layer whole the larger of the whole layer and its pieces
    /// if any smaller network (K = N = 1, the split's most favourable sizes) would split it: so the bound grows with
    /// every size, which the reduction's choice does not. Each pair of layers' blocks counts the bytes of its own
    /// entries' degree: left factors (A_t^T A_u between output pieces) 4L - 2t - 2u - 4 values, right factors (B_t X^T,
    /// B_t Omega^T and B_t Sxx B_u^T) at most 2L + 2t + 2u + 6, crossed ones (Y^T G X', Y'^T C X) at most
    /// max(4L + 2t - 2u + 2, 2L + 2u - 2t).
    var reduced: Count {
        // The layers a network with K = 1 and N = 1 splits, per part.
        let smallest = try? Architecture(widths: widths.dropLast() + [1])
        return HessianPart.allCases.reduce(Count(0)) { (total: Count, part: HessianPart) -> Count in
            let split = ReducedHessian.layout(for: part, architecture: architecture, samples: samples, keepsWholeLayers: false)
            let kept = ReducedHessian.layout(for: part, architecture: architecture, samples: samples)
            let splitSomewhere = smallest.map { ReducedHessian.layout(for: part, architecture: $0, samples: 1) } ?? split
            func isWhole(_ layout: [ReducedHessian.PieceShape], _ t: Int) -> Bool {
                let pieces = layout.filter { $0.layer == t }
                return pieces.count == 1 && pieces[0].left == .identity && pieces[0].right == .identity
            }
            var (leftSums, rightSums, pieces) = ([Count](repeating: 0, count: depth), [Count](repeating: 0, count: depth), Count(0))
            var pieceCount = 0
            for t in 0..<depth {
                let (rows, columns) = (Count(widths[t + 1]), Count(widths[t]))
                var (left, right, factors) = (Count(0), Count(0), Count(0))
                for piece in split where piece.layer == t {
                    left = left + Count(piece.leftColumns)
                    right = right + Count(piece.rightColumns)
                    factors = factors + rows * Count(piece.leftColumns) + columns * Count(piece.rightColumns)
                }
                let whole = (rows, columns, rows * rows + columns * columns)
                if !isWhole(kept, t) {
                    (leftSums[t], rightSums[t], pieces) = (left, right, pieces + factors)
                    pieceCount += split.filter { $0.layer == t }.count
                } else if isWhole(splitSomewhere, t) {
                    (leftSums[t], rightSums[t], pieces) = (whole.0, whole.1, pieces + whole.2)
                    pieceCount += 1
                } else {
                    (leftSums[t], rightSums[t]) = (.maximum(left, whole.0), .maximum(right, whole.1))
                    pieces = pieces + .maximum(factors, whole.2)
                    pieceCount += max(1, split.filter { $0.layer == t }.count)
                }
            }
            var blocks = pieces * productEntry
            for t in 0..<depth {
                for u in 0..<depth {
                    if part != .functional {
                        let right = part == .outer ? 2 * t + 2 * u + 4 : 2 * depth + 2 * t + 2 * u + 6
                        blocks = blocks + leftSums[t] * leftSums[u] * entry(4 * depth - 2 * t - 2 * u - 4)
                            + rightSums[t] * rightSums[u] * entry(right)
                    }
                    if part != .outer && t < u {
                        let crossed = max(4 * depth + 2 * t - 2 * u + 2, 2 * depth + 2 * u - 2 * t)
                        blocks = blocks + 2 * (rightSums[t] * leftSums[u] + rightSums[u] * leftSums[t]) * entry(crossed)
                    }
                }
                if part == .outer {
                    blocks = blocks + n * rightSums[t] * sampleEntry + k * leftSums[t] * entry(2 * (depth - t - 1))
                }
            }
            // Per pair of pieces: two Kronecker factors, or half of the four crossed ones (t < u), kept; pieces and J Q.
            let matrices = 4 * Count(pieceCount) * Count(pieceCount) + 4 * Count(pieceCount)
            return total + blocks + matrices * Count(Self.matrixOverhead)
        }
    }

    /// Bytes of an entry of at most `degree` values (`entryOfDegree`).
    func entry(_ degree: Int) -> Count { entryOfDegree[min(max(degree, 0), entryOfDegree.count - 1)] }

    /// The per-sample blocks of a ReLU network's Hessians (`PiecewiseLinearHessian`), and one sample's masks and
    /// products, in bytes.
    var relu: Count {
        var functional = Count(0)
        for t in 0..<depth {
            for u in (t + 1)..<max(depth, t + 1) {
                functional = functional + 2 * Count(widths[u + 1]) * Count(widths[t]) + 2 * Count(widths[u]) * Count(widths[t + 1])
            }
        }
        let perSample = inSum * inSum + outSum * outSum + functional + inSum + k * outSum
        let squares = widths.reduce(Count(0)) { $0 + Count($1) * Count($1) }
        // Per sample: H_O's factors (2 L^2), H_F's (2 L (L - 1)) and J's (2 L); one sample's vectors and masks.
        let matrices = n * (4 * Count(depth) * Count(depth) + 2 * Count(depth)) + 8 * Count(depth + 1)
        return (n * perSample + squares + 4 * k * sum) * sampleEntry + matrices * Count(Self.matrixOverhead)
    }

    /// What the rank of a full Hessian goes through: p x p, and J (N K x p) for H_O when N K < p.
    var fullShapes: [(rows: Count, columns: Count)] {
        let (rows, overflow) = samples.multipliedReportingOverflow(by: architecture.outputWidth)
        let outer = !overflow && rows < architecture.parameterCount ? Count(rows) : p
        return [(p, p), (outer, p), (p, p)]
    }

    /// `ReducedHessian.rankedShapes`.
    var reducedShapes: [(rows: Count, columns: Count)] {
        ReducedHessian.rankedShapes(architecture: architecture, samples: samples).map { (Count($0.rows), Count($0.columns)) }
    }

    /// One ranking task's row-norm sums (two big integers a row) and the residues of one block's factors (a sample
    /// dimension only in J's blocks, which have N K rows).
    func taskTransients(_ shape: (rows: Count, columns: Count)) -> Count {
        let rowNorms = 2 * shape.rows * Count(MemoryEstimate.integerBytes(bits: 2 * (hessianBits ?? 1 << 40) + 64))
        return rowNorms + 16 * widest * (widest + k + .minimum(n, shape.rows))
    }

    /// The data's rank and the genericity ranks, before the Hessians.
    var preliminaryRanks: Count {
        MemoryEstimate.elimination(n, d) + MemoryEstimate.elimination(widest, n) + MemoryEstimate.elimination(widest, widest)
    }
}
