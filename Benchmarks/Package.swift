// swift-tools-version: 6.1
// Benchmark package: compares MustacheRenderer with hummingbird-project/swift-mustache.
// Kept apart from the root package so the product never depends on it.
// Sources/MustacheRenderer is a symlink to the root package's ../../Sources/MustacheRenderer
// (SwiftPM does not accept target paths outside the package root).
import PackageDescription

let package = Package(
    name: "Benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .target(name: "MustacheRenderer"),
        .executableTarget(
            name: "render-bench",
            dependencies: [
                "MustacheRenderer",
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
    ]
)
