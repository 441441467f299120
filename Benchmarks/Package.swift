// swift-tools-version: 6.1
// Benchmark package: compares MustacheRenderer with hummingbird-project/swift-mustache, and the
// SMTP client (through its connection pool) with Postfix smtp-source and Python smtplib, and
// holds http-hello, the Hummingbird hello-world ceiling for the HTTP benchmark (http-vs-hello.sh),
// and mime-bench, the cost of MailMessage.serialized() for one verification email.
// Kept apart from the root package so the product never depends on it.
// Sources/MustacheRenderer, Sources/MIMEMessage and Sources/SMTP are symlinks to the root
// package's ../../Sources/MustacheRenderer, ../../Sources/MIMEMessage and ../../Sources/SMTP
// (SwiftPM does not accept target paths outside the package root), so the benchmarks build
// exactly the code that ships.
import PackageDescription

let package = Package(
    name: "Benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // Same versions as the root Package.swift gives the SMTP target.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        // Same version as the root Package.swift (the service's HTTP server).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
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
        .target(name: "MIMEMessage"),
        .executableTarget(name: "mime-bench", dependencies: ["MIMEMessage"]),
        // Dependencies exactly as in the root Package.swift.
        .target(
            name: "SMTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .executableTarget(
            name: "smtp-bench",
            dependencies: [
                "SMTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Hello-world ceiling for http-vs-hello.sh: the service's route, method and body size, no work.
        .executableTarget(
            name: "http-hello",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
    ]
)
