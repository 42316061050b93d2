// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "llmwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "llmwatch", targets: ["llmwatch"]),
        .library(name: "Exposition", targets: ["Exposition"]),
        .library(name: "PromQL", targets: ["PromQL"]),
        .library(name: "Probe", targets: ["Probe"]),
        .library(name: "Web", targets: ["Web"]),
        .library(name: "TSDB", targets: ["TSDB"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        .target(name: "Series"),
        .target(name: "Exposition"),
        .target(name: "Config", dependencies: ["Yams"]),
        .target(name: "PromQL", dependencies: ["Series"]),
        .target(name: "PromQLTest", dependencies: ["PromQL", "Series"]),
        .target(name: "TSDB", dependencies: ["Series"]),
        .target(name: "Backfill", dependencies: ["Exposition", "Series"]),
        .target(name: "Evaluator", dependencies: ["PromQL", "Series", "Config"]),
        .target(
            name: "Probe",
            dependencies: [
                "Exposition", "Config",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Web",
            dependencies: [
                "Probe", "Exposition", "PromQL", "Series", "TSDB", "Config",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "llmwatch",
            dependencies: [
                "Web", "Probe", "Config", "PromQL", "PromQLTest", "TSDB", "Backfill",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "Exposition",
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support"
        ),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Web", "TSDB", "PromQL", "Series", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "BackfillTests", dependencies: ["Backfill", "Series", "TSDB", "TestSupport"]),
        .testTarget(name: "TSDBTests", dependencies: ["TSDB", "Series", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "EvaluatorTests", dependencies: ["Evaluator", "PromQL", "Series", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "PromQLTests", dependencies: ["PromQL", "PromQLTest", "Series", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "ProbeTests",
            dependencies: [
                "Probe", "Exposition", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Web", "Probe", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
    ]
)
