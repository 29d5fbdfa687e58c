// The size limits of the commands that certify ranks.
import HessianConstructions
import NetworkModel

/// Two limits, on the rows and columns of the matrices certified:
/// - `rankRows`: `rank --certify`, `verify --certify`, `sweep --certify`, which certify by the multimodular argument
///   (`CertifiedRank`: about log2(Hadamard bound) / 23 ranks modulo primes below 2^23 by BLAS elimination) the
///   matrices they rank, the reduced Hessians of linear networks or the p x p ones. Measured on one core pair: see the
///   docs/speed.md.
/// - `parameters`: certificate files (`certify`, `fixtures`), whose independent checker rebuilds the p x p Hessians by
///   the direct route and keeps its own copy of this limit (`CertificateCheck.Limits.parameters`).
public enum CertificationLimit {
    public static let rankRows = 3_000
    public static let parameters = 1_000
}
