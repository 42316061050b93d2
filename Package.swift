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
        .library(name: "Series", targets: ["Series"]),
        .library(name: "TSDB", targets: ["TSDB"]),
        .library(name: "PrometheusConfig", targets: ["PrometheusConfig"]),
        .library(name: "Scrape", targets: ["Scrape"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.20.0"),
    ],
    targets: [
        .target(name: "Series"),
        .target(name: "Exposition"),
        .target(name: "Config", dependencies: ["Yams"]),
        .target(name: "PromQL", dependencies: ["Series"]),
        .target(name: "PromQLTest", dependencies: ["PromQL", "Series"]),
        .target(name: "TSDB", dependencies: ["Series"]),
        .target(
            name: "Notifier",
            dependencies: [
                "Series", "Exposition",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "Backfill", dependencies: ["Exposition", "Series"]),
        .target(name: "Evaluator", dependencies: ["PromQL", "Series", "Config", "Notifier"]),
        .target(name: "SLO", dependencies: ["Config", "PromQL", "Series"]),
        .target(name: "Charts", dependencies: ["PromQL", "Series"]),
        .target(
            name: "EvaluatorRuntime",
            dependencies: [
                "TSDB", "Scrape", "PrometheusConfig", "Evaluator", "Notifier", "SLO", "RemoteQuery", "RemoteWrite", "Web",
                "Exposition", "PromQL", "Series", "Config",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "Report", dependencies: ["Charts", "RemoteQuery", "PromQL", "Series"]),
        .target(
            name: "RemoteQuery",
            dependencies: [
                "Evaluator", "PromQL", "Series", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "RemoteWrite",
            dependencies: [
                "Series", "Exposition",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "PrometheusConfig",
            dependencies: ["Config", "Series", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "Scrape",
            dependencies: [
                "Series", "Exposition", "Config", "PrometheusConfig",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "Probe",
            dependencies: [
                "Exposition", "Config",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOSOCKS", package: "swift-nio-extras"),
            ]
        ),
        .target(
            name: "Web",
            dependencies: [
                "Probe", "Exposition", "PromQL", "Series", "Charts", "TSDB", "Config", "Evaluator", "Scrape", "Notifier",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "llmwatch",
            dependencies: [
                "Web", "Probe", "Config", "PromQL", "PromQLTest", "Evaluator", "SLO", "Report", "RemoteQuery", "TSDB",
                "Backfill", "EvaluatorRuntime", "PrometheusConfig", "Series",
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
            name: "NotifierTests", dependencies: ["Notifier", "Series", "Exposition", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "SLOTests", dependencies: ["SLO", "Evaluator", "Config", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "RemoteTests",
            dependencies: ["RemoteQuery", "RemoteWrite", "Evaluator", "PromQL", "Series", "Exposition", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "RemoteQuery", "TestSupport"]),
        .testTarget(
            name: "WebTests",
            dependencies: [
                "Web", "Charts", "TSDB", "PromQL", "Series", "TestSupport",
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
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "StackTests",
            dependencies: [
                "PromQL", "Series", "Evaluator", "TestSupport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "PrometheusConfigTests", dependencies: ["PrometheusConfig", "Config", "Series", "TestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "ScrapeTests",
            dependencies: [
                "Scrape", "PrometheusConfig", "Config", "Series", "Exposition", "TSDB", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Web", "Probe", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
    ]
)
