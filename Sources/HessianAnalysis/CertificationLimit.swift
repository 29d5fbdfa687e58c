// The size limit shared by every command that certifies ranks.
import HessianConstructions
import NetworkModel

/// Certification is offered for matrices up to this many rows and columns: the p x p Hessians (`certify`, fixtures), or
/// the reduced ones for `--certify` on linear networks. The multimodular argument costs about log2(Hadamard bound) / 62
/// eliminations (measured: 0.8 s for 25,5,10,10, 17.9 s for 64,8,8,10 at n = 656, 54 s for 100,20,20,5 with reduced
/// sizes up to 650; see the README).
public enum CertificationLimit {
    public static let parameters = 1_000
}
