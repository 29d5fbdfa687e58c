// swift-tools-version:6.0
// HessianRank: exact ranks of neural-network Hessians, checked against closed forms.
//
// Layering (each arrow is the only way down):
//   hessian-rank (CLI)  ->  HessianCore  ->  ExactAlgebra  ->  CFLINT (system library: FLINT, MPFR, GMP)
//                                       \->  RankFormulas  (imports nothing of ours)
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
    ],
    targets: [
        .systemLibrary(name: "CFLINT", path: "Sources/CFLINT"),
        .target(name: "ExactAlgebra", dependencies: ["CFLINT"]),
        .target(name: "RankFormulas"),
        .target(name: "HessianCore", dependencies: ["ExactAlgebra", "RankFormulas"]),
        .executableTarget(
            name: "HessianRankCLI",
            dependencies: [
                "HessianCore", "RankFormulas", "ExactAlgebra",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ExactAlgebraTests", dependencies: ["ExactAlgebra"]),
        .testTarget(name: "RankFormulasTests", dependencies: ["RankFormulas"]),
        .testTarget(name: "HessianCoreTests", dependencies: ["HessianCore", "ExactAlgebra", "RankFormulas"]),
        .testTarget(name: "CLITests", dependencies: ["HessianRankCLI"]),
    ],
    swiftLanguageModes: [.v6]
)
