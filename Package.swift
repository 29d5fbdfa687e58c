// swift-tools-version:6.0
// HessianRank: exact ranks of neural-network Hessians, checked against closed forms.
//
// The layers, top to bottom (a target imports only targets below it):
//
//   hessian-rank (HessianRankCLI)      one file per subcommand; parses options into the model's typed values
//        |
//   HessianReports                      JSON reports, certificates (producer), fixtures, SVG plots
//   HessianStudies                      the conjecture engine (verify, bias, conjecture) and its grids, sweeps,
//                                       calibration
//   HessianAnalysis                     the pipeline: draw -> build -> redraw on a kink -> rank -> bound and verdict
//   HessianConstructions                exact Hessians behind one seam (ExactHessian): structured, reduced,
//        |                              piecewise-linear, augmented (bias); float Hessians
//   NetworkModel                        architecture (layers, bias), activations, problems, the seeded draw
//        |
//   ExactAlgebra -> CFLINT (FLINT),     NumericalAlgebra -> CLAPACK (LAPACKE)      RankFormulas (imports nothing:
//                                                                                the formula language, the closed forms
//                                                                                written in it, the proven bounds)
//                   CBLAS (OpenBLAS)
//   BallArithmetic -> CArb (Arb),         ball matrices, certified rank lower bounds (under HessianConstructions'
//                     CBLAS, CLAPACK      BallHessian, HessianAnalysis' LossIntervals: rank and verify --loss);
//                                         midpoint-radius double matrices (BLAS products) for large minors
//
// HessianCore re-exports the five core modules (the library product). Beside them, and never importing them:
//   CertificateChecker -> HessianReference (Int128 direct Hessians; imports nothing of ours), RankFormulas (the closed
//                         forms a proven-statement witness names), CFLINT, SHA256Digest
// The checker never calls the producer: it rebuilds every Hessian by the direct route. NPYFormat and SHA256Digest
// (swift-crypto) are leaves; ArrayContainers (the CLI's --weights FILE.npz or FILE.safetensors) reads arrays out of
// one file with NPYFormat's checks, inflating .npz members with ZIPFoundation.
import PackageDescription

let package = Package(
    name: "HessianRank",
    products: [
        .executable(name: "hessian-rank", targets: ["HessianRankCLI"]),
        .library(name: "HessianCore", targets: ["HessianCore"]),
        .library(name: "NetworkModel", targets: ["NetworkModel"]),
        .library(name: "HessianConstructions", targets: ["HessianConstructions"]),
        .library(name: "HessianAnalysis", targets: ["HessianAnalysis"]),
        .library(name: "HessianStudies", targets: ["HessianStudies"]),
        .library(name: "HessianReports", targets: ["HessianReports"]),
        .library(name: "RankFormulas", targets: ["RankFormulas"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Property-based (fuzz) tests of every input the tool reads: .npy headers, certificates, CLI sizes and paths.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        // SHA-256 of certificates and fixtures, behind SHA256Digest. 3.x, not 4.x: it builds in less time (4.x's Crypto
        // adds ML-KEM, ML-DSA, X-Wing and SHA-3) and asks for tools 5.9, where 4.x asks for 6.1.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Inflating the deflated members of an .npz (numpy.savez_compressed), behind ArrayContainers.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .systemLibrary(name: "CFLINT", path: "Sources/CFLINT"),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas"),
        .target(name: "ExactAlgebra", dependencies: ["CFLINT", "CBLAS"]),
        .systemLibrary(name: "CLAPACK", path: "Sources/CLAPACK", pkgConfig: "lapacke"),
        .systemLibrary(name: "CArb", path: "Sources/CArb"),
        .target(name: "BallArithmetic", dependencies: ["CArb", "CBLAS", "CLAPACK"]),
        .target(name: "NumericalAlgebra", dependencies: ["CLAPACK"]),
        .target(name: "RankFormulas"),
        .target(name: "NetworkModel", dependencies: ["ExactAlgebra"]),
        .target(name: "HessianConstructions", dependencies: ["NetworkModel", "ExactAlgebra", "HessianReference", "BallArithmetic"]),
        .target(name: "HessianAnalysis", dependencies: ["HessianConstructions", "NetworkModel", "ExactAlgebra", "RankFormulas", "BallArithmetic"]),
        .target(name: "HessianStudies", dependencies: ["HessianAnalysis", "HessianConstructions", "NetworkModel", "ExactAlgebra", "NumericalAlgebra", "RankFormulas"]),
        .target(name: "HessianReports", dependencies: ["HessianStudies", "HessianAnalysis", "HessianConstructions", "NetworkModel", "ExactAlgebra", "NumericalAlgebra", "RankFormulas", "SHA256Digest", "NPYFormat"]),
        .target(name: "HessianCore", dependencies: ["NetworkModel", "HessianConstructions", "HessianAnalysis", "HessianStudies", "HessianReports"]),
        .target(name: "SHA256Digest", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "NPYFormat"),
        .target(name: "ArrayContainers", dependencies: ["NPYFormat", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .target(name: "HessianReference"),
        .target(name: "CertificateChecker", dependencies: ["CFLINT", "HessianReference", "RankFormulas", "SHA256Digest"]),
        .executableTarget(
            name: "HessianRankCLI",
            dependencies: [
                "HessianCore", "RankFormulas", "ExactAlgebra", "CertificateChecker", "NumericalAlgebra", "NPYFormat", "ArrayContainers", "BallArithmetic",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ExactAlgebraTests", dependencies: ["ExactAlgebra"]),
        .testTarget(name: "RankFormulasTests", dependencies: ["RankFormulas"]),
        .testTarget(name: "BallArithmeticTests", dependencies: ["BallArithmetic", "ExactAlgebra"]),
        .testTarget(name: "HessianReferenceTests", dependencies: ["HessianReference"]),
        .testTarget(name: "HessianCoreTests", dependencies: ["HessianCore", "ExactAlgebra", "RankFormulas", "HessianReference"]),
        .testTarget(name: "SHA256DigestTests", dependencies: ["SHA256Digest"]),
        .testTarget(name: "NumericalAlgebraTests", dependencies: ["NumericalAlgebra"]),
        .testTarget(name: "NPYFormatTests", dependencies: ["NPYFormat", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "CertificateCheckerTests", dependencies: ["CertificateChecker", "HessianCore", "ExactAlgebra", "HessianReference", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "CLITests", dependencies: ["HessianRankCLI", "NetworkModel", "NPYFormat", "ArrayContainers", .product(name: "ZIPFoundation", package: "ZIPFoundation"), "ExactAlgebra", "SHA256Digest", "HessianReference", .product(name: "PropertyBased", package: "swift-property-based")]),
    ],
    swiftLanguageModes: [.v6]
)
