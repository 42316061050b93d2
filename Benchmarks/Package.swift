// swift-tools-version:6.1
import PackageDescription

// Benchmarks for llmwatch, kept out of the root package so that building or testing llmwatch
// never resolves the benchmark harness. Run them with `Benchmarks/run.sh`.
let package = Package(
    name: "llmwatch-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "llmwatch", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
    ],
    targets: [
        .executableTarget(
            name: "ExpositionBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Exposition", package: "llmwatch"),
            ],
            path: "Benchmarks/ExpositionBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/BenchmarkSupport"
        ),
        .executableTarget(
            name: "QueryBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/QueryBenchmark"
        ),
        .executableTarget(
            name: "AlertLatencyBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/AlertLatencyBenchmark"
        ),
        .executableTarget(
            name: "AlertmanagerOutageBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/AlertmanagerOutageBenchmark"
        ),
        .executableTarget(
            name: "RuleEvalBenchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/RuleEvalBenchmark"
        ),
        .executableTarget(
            name: "StorageBenchmark",
            dependencies: [
                .product(name: "TSDB", package: "llmwatch"),
                .product(name: "Series", package: "llmwatch"),
            ],
            path: "Benchmarks/StorageBenchmark"
        ),
        .executableTarget(
            name: "ProbeOverhead",
            dependencies: [
                .product(name: "Probe", package: "llmwatch"),
                .product(name: "Exposition", package: "llmwatch"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/ProbeOverhead"
        ),
        .executableTarget(
            name: "ScrapeBenchmark",
            dependencies: [
                .product(name: "Scrape", package: "llmwatch"),
                .product(name: "PrometheusConfig", package: "llmwatch"),
                .product(name: "Series", package: "llmwatch"),
                .product(name: "TSDB", package: "llmwatch"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ScrapeBenchmark"
        ),
    ]
)
