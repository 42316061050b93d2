// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for llmwatch's parsers, kept out of the root package so that its build and
// tests never compile with the fuzzer runtime. Build and run with `Fuzz/run.sh` (see README.md).
let package = Package(
    name: "llmwatch-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "llmwatch", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "PromQLParserFuzzer",
            dependencies: [.product(name: "PromQL", package: "llmwatch")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "ExpositionParserFuzzer",
            dependencies: [.product(name: "Exposition", package: "llmwatch")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
