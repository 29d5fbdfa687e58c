// The checker's limits: what it refuses to read or rebuild, and why each bound is where it is.
//
// A certificate is untrusted input. Without limits, a 500 KB file describing widths 300,300 asks the checker for three
// 90,000 x 90,000 Hessians (130 GB), and a large unknown field is parsed in full. So every size the checker's work and
// memory grow with is bounded here, and each bound is checked before anything proportional to it is allocated: the file
// size before the file is read (`CertificateFile`), keys, nesting, string and number lengths and the count of values
// before a value is built (`Preflight`), and p, N, the data's entries and the rebuild's work, with overflow-checked
// products, before any matrix is built (`NetworkReader`; for a convolutional network `ConvolutionalShape` and
// `ConvolutionalNetworkReader`, which also bound the unrolled network the rebuild runs on). Anything above a limit is
// refused as invalid, with the limit named.
//
// The limits are those of the producer's certificates, so that every certificate `certify` can write is read: `certify`
// refuses p above its own limit (HessianCore's `CertificationLimit.parameters`) and runs this checker on what it wrote
// before keeping it, so a certificate above any other limit here is never written either. The checker does not
// import HessianCore (it never calls the producer), so it keeps its own copy of the parameter limit; a test asserts
// the two are equal. They must be: below the producer's, certify would fail its own self-check at the top of its
// range; above it, the checker would accept certificates that no producer writes, at a cost that grows as p^3.

extension CertificateCheck {
    public enum Limits {
        /// Bytes of the file: 64 MiB. The largest certificate the limits below allow, pretty-printed as `certify`
        /// writes it (a data entry takes at most 8 spaces, 40 characters in quotes, a comma and a newline: 52 bytes),
        /// is at most about 54 MB, so this bound refuses nothing the others accept; it lets a larger file be refused
        /// unread.
        public static let fileBytes = 64 << 20

        /// Parameters p = sum of w_t w_{t+1}, plus sum of w_{t+1} for a network with biases: 1,000, `certify`'s limit. The rebuilt Hessians take 3 p^2 Int128 entries
        /// (48 MB at the limit) and the witness minors p^3 / 3 operations each.
        public static let parameters = 1_000

        /// Widths in the architecture: every layer has at least one parameter, so at most p + 1 widths. No width needs
        /// a limit of its own: w_t <= w_t w_{t+1} <= p bounds every width, d and K by p.
        public static let widths = parameters + 1

        /// Samples N: 10,000 (the documentation's examples use 20 to 100).
        public static let samples = 10_000

        /// Entries of the data and targets, N (d + K): 10^6 (16 MB as Int128).
        public static let dataEntries = 1_000_000

        /// Multiply-adds of rebuilding the Hessians by the direct route, `work(samples:parameters:outputs:)`:
        /// 2 * 10^9, about a minute in a debug build (measured 31 ns each: 20 s for the 6.5 * 10^8 of widths 20,40,5
        /// with N = 100). It admits p = 1,000 with K = 5 up to N = 307, and the documentation's certificates (p <= 600,
        /// N <= 100) easily.
        public static let rebuildWork = 2_000_000_000

        /// Parameters of the unrolled dense network of a convolutional network, p_u = sum_t out_t (in_t + [some
        /// bias]) over the flattened sizes: 3,000. The checker rebuilds a convolutional network's Hessians on that
        /// network (DirectHessian, then pulled back to theta: ReferenceConvolution.swift), so its memory and work are
        /// the unrolled network's, not theta's: the direct route holds at most three p_u x p_u Int128 matrices at once
        /// (432 MB at the limit; 48 MB for a dense network at p = 1,000), and the pull-back visits at most p_u^2 pairs.
        /// The limit admits input 1x6x6 with conv:2:3:same,dense:3 (p_u = 2,808, p = 234); the work is bounded
        /// separately, by `rebuildWork` counted in p_u.
        public static let unrolledParameters = 3_000

        /// Digits of a decimal entry of the weights, data or targets: 39, the digits of 2^127 - 1. More cannot be an
        /// Int128, the checker's arithmetic.
        public static let decimalDigits = 39

        /// Bytes of any JSON string: 64, the longest string of the format (a SHA-256 digest in hexadecimal).
        public static let stringBytes = 64

        /// Characters of a JSON number: 19. The format's numbers are sizes, indices and ranks (at most p, N), and 19
        /// characters keep every number inside Int64.
        public static let numberCharacters = 19

        /// Nesting of arrays and objects: 5, the format's deepest (network.weights[t][i] is an array inside four).
        public static let depth = 5

        /// JSON values of every kind in the file: every value a certificate within the limits above can hold. Beyond
        /// the N (d + K) data entries and their 2 N rows, that is at most 14 p. A dense network: p weight and bias
        /// entries, at most p rows and p weight matrices and bias vectors (with biases: w_{t+1} rows and 2 containers
        /// per layer, each layer having w_{t+1} bias parameters and as many weights besides), p + 1 widths and 6 p
        /// witness indices (rows and columns of three parts): 10 p. A convolutional network (format version 3): p
        /// entries of theta, at most p layers (each has a parameter), each an object of at most 6 values, and 6 p
        /// witness indices: 14 p. Fewer than 100 containers and scalars besides. Objects hold only the format's keys,
        /// each once (at most 11): a key outside the format is refused, so no object can hold more.
        public static let values = dataEntries + 2 * samples + 14 * parameters + 100

        /// The direct route's multiply-adds for N samples, p parameters and K outputs, N p^2 (K + 8) / 2 (nil on
        /// overflow): per sample, each of the p tangents costs at most p forward and 3 p backward (DirectHessian; p
        /// counts the biases, whose steps and the slopes' cost one multiply per unit, as many as the biases or the
        /// weights' rows), and the outer products J^T J add p^2 K / 2.
        public static func work(samples: Int, parameters p: Int, outputs: Int) -> Int? {
            var work = samples
            for factor in [p, p, outputs + 8] {
                let (product, overflow) = work.multipliedReportingOverflow(by: factor)
                if overflow { return nil }
                work = product
            }
            return work / 2
        }

        /// Refuses (with the reason the checker would give) a network of these widths and N samples, with biases or
        /// without, whose certificate the checker would refuse by its size: for `certify` to say so up front instead of
        /// after the work.
        public static func checkNetwork(widths: [Int], samples n: Int, bias: Bool = false) throws(Failure) {
            let p = try parameterCount(widths, bias: bias)
            try checkData(samples: n, inputWidth: widths[0], outputWidth: widths[widths.count - 1], parameters: p)
        }

        /// Refuses a convolutional network with N samples whose certificate the checker would refuse by its size:
        /// N, N (d + K) (d the flattened input, K the last layer's flattened output) and the rebuild's work on the
        /// unrolled network, N p_u^2 (K + 8) / 2; p and p_u are refused by `ConvolutionalShape` itself. Used by the
        /// checker before any matrix is built, and by `certify` to say so up front.
        public static func checkConvolutionalNetwork(_ shape: ConvolutionalShape, samples n: Int) throws(Failure) {
            let (d, k, pu) = (shape.unrolledWidths[0], shape.unrolledWidths[shape.unrolledWidths.count - 1], shape.unrolledParameters)
            guard n <= samples else {
                throw Failure("network.x has \(n) samples, above the checker's limit of \(samples)")
            }
            let entries = n * (d + k)  // d and K are at most p_u <= 3,000
            guard entries <= dataEntries else {
                throw Failure("network.x and network.y have N (d + K) = \(entries) entries, above the checker's limit of \(dataEntries)")
            }
            let cost = work(samples: n, parameters: pu, outputs: k)
            guard let cost, cost <= rebuildWork else {
                throw Failure("rebuilding the Hessians on the unrolled network (p_u = \(pu), N = \(n), K = \(k)) takes N p_u^2 (K + 8) / 2 = \(cost.map(String.init) ?? "over 2^63") multiply-adds, above the checker's limit of \(rebuildWork)")
            }
        }

        /// The refusal of a file of `bytes` bytes (nil: more than the limit, size unknown) above `fileBytes`.
        static func fileTooLarge(_ bytes: Int?) -> Failure {
            Failure("the file has \(bytes.map(String.init) ?? "more than \(fileBytes)") bytes, above the checker's limit of \(fileBytes) (64 MiB)")
        }

        /// p for `widths` (counting the biases w_{t+1} of each layer when `bias`), refusing (before any matrix is built)
        /// too many widths and p above the limit, with overflow-checked products (widths of 2^32 would overflow).
        /// Widths are positive (checked by the caller).
        static func parameterCount(_ widths: [Int], bias: Bool = false) throws(Failure) -> Int {
            guard widths.count <= Limits.widths else {
                throw Failure("network.architecture lists \(widths.count) widths, above the checker's limit of \(Limits.widths) (p <= \(parameters) leaves room for at most \(parameters) layers)")
            }
            var p = 0
            for t in 0..<(widths.count - 1) {
                // w_t + 1 inputs per unit with a bias (widths come from 19-character numbers: w_t + 1 can overflow).
                let (inputs, over) = widths[t].addingReportingOverflow(bias ? 1 : 0)
                let (product, overflow) = inputs.multipliedReportingOverflow(by: widths[t + 1])
                let (sum, carry) = p.addingReportingOverflow(product)
                guard !over, !overflow, !carry else {
                    throw Failure("network.architecture has more than 2^63 parameters, above the checker's limit of \(parameters) (certify's limit)")
                }
                p = sum
            }
            guard p <= parameters else {
                throw Failure("network.architecture has p = \(p) parameters\(bias ? " with its biases" : ""), above the checker's limit of \(parameters) (certify's limit)")
            }
            return p
        }

        /// Refuses data whose N, N (d + K) or rebuild work is above the limits, before the matrices are built.
        static func checkData(samples n: Int, inputWidth d: Int, outputWidth k: Int, parameters p: Int) throws(Failure) {
            guard n <= samples else {
                throw Failure("network.x has \(n) samples, above the checker's limit of \(samples)")
            }
            let entries = n * (d + k)  // at most 10,000 * 2,000: d and K are at most p
            guard entries <= dataEntries else {
                throw Failure("network.x and network.y have N (d + K) = \(entries) entries, above the checker's limit of \(dataEntries)")
            }
            let cost = work(samples: n, parameters: p, outputs: k)
            guard let cost, cost <= rebuildWork else {
                throw Failure("rebuilding the Hessians (p = \(p), N = \(n), K = \(k)) takes N p^2 (K + 8) / 2 = \(cost.map(String.init) ?? "over 2^63") multiply-adds, above the checker's limit of \(rebuildWork)")
            }
        }
    }
}
