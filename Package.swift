// swift-tools-version:6.0
// HessianRank: exact ranks of neural-network Hessians, checked against closed forms.
//
// Layering (each arrow is the only way down):
//   hessian-rank (CLI)  ->  HessianCore  ->  ExactAlgebra  ->  CFLINT (system library: FLINT, MPFR, GMP)
//                      |                \->  RankFormulas  (imports nothing of ours)
//                      \->  CertificateChecker  ->  HessianReference (Int128 direct Hessians; imports nothing of ours)
//                                            \->  CFLINT, SHA256Digest  ->  swift-crypto (Crypto.SHA256)
// The checker never calls the producer (HessianCore, ExactAlgebra): it rebuilds every Hessian by the direct route.
// HessianCore also uses the direct route, for exact ReLU Hessians (the structured route covers linear networks only),
// and NumericalAlgebra (LAPACKE) for the float path.
import PackageDescription

let package = Package(
    name: "HessianRank",
    products: [
        .executable(name: "hessian-rank", targets: ["HessianRankCLI"]),
        .library(name: "HessianCore", targets: ["HessianCore"]),
        .library(name: "RankFormulas", targets: ["RankFormulas"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Property-based (fuzz) tests of every input the tool reads: .npy headers, certificates, CLI sizes and paths.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        // SHA-256 of certificates and fixtures, behind SHA256Digest. 3.x, not 4.x: it builds in less time (4.x's Crypto
        // adds ML-KEM, ML-DSA, X-Wing and SHA-3) and asks for tools 5.9, where 4.x asks for 6.1.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CFLINT", path: "Sources/CFLINT"),
        .target(name: "ExactAlgebra", dependencies: ["CFLINT"]),
        .systemLibrary(name: "CLAPACK", path: "Sources/CLAPACK", pkgConfig: "lapacke"),
        .target(name: "NumericalAlgebra", dependencies: ["CLAPACK"]),
        .target(name: "RankFormulas"),
        .target(name: "HessianCore", dependencies: ["ExactAlgebra", "NumericalAlgebra", "RankFormulas", "SHA256Digest", "HessianReference", "NPYFormat"]),
        .target(name: "SHA256Digest", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "NPYFormat"),
        .target(name: "HessianReference"),
        .target(name: "CertificateChecker", dependencies: ["CFLINT", "HessianReference", "SHA256Digest"]),
        .executableTarget(
            name: "HessianRankCLI",
            dependencies: [
                "HessianCore", "RankFormulas", "ExactAlgebra", "CertificateChecker", "NumericalAlgebra", "NPYFormat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ExactAlgebraTests", dependencies: ["ExactAlgebra"]),
        .testTarget(name: "RankFormulasTests", dependencies: ["RankFormulas"]),
        .testTarget(name: "HessianReferenceTests", dependencies: ["HessianReference"]),
        .testTarget(name: "HessianCoreTests", dependencies: ["HessianCore", "ExactAlgebra", "RankFormulas", "HessianReference"]),
        .testTarget(name: "SHA256DigestTests", dependencies: ["SHA256Digest"]),
        .testTarget(name: "NumericalAlgebraTests", dependencies: ["NumericalAlgebra"]),
        .testTarget(name: "NPYFormatTests", dependencies: ["NPYFormat", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "CertificateCheckerTests", dependencies: ["CertificateChecker", "HessianCore", "ExactAlgebra", "HessianReference", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "CLITests", dependencies: ["HessianRankCLI", "NPYFormat", "ExactAlgebra", "SHA256Digest", "HessianReference", .product(name: "PropertyBased", package: "swift-property-based")]),
    ],
    swiftLanguageModes: [.v6]
)
