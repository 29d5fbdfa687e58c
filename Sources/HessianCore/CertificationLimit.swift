// The size limit shared by every command that certifies ranks.

/// Certification is offered up to this many parameters: the multimodular argument costs about log2(Hadamard bound) / 62
/// eliminations of a p x p matrix (measured: 0.9 s at p = 275, 3.2 s at p = 500, 17.8 s at p = 656; see the README).
public enum CertificationLimit {
    public static let parameters = 1_000
}
