// swift-tools-version: 6.1
// Fuzz package: libFuzzer targets for the Mustache parser/renderer, the address parser, the MIME
// writer and the SMTP reply decoder. Kept apart from the root package so the product never
// depends on it and its sanitizer flags never reach the product build; scripts/fuzz.sh builds
// it with `-sanitize=fuzzer,address` and runs each target for a bounded time.
//
// Sources/MustacheRenderer and Sources/MIMEMessage are symlinks to the root package's modules
// (SwiftPM does not accept target paths outside the package root), so the fuzzers exercise
// exactly the code that ships. Sources/SMTPReplyWire holds symlinks to the three files of
// Sources/SMTP/Wire the reply decoder consists of (SMTPReplyDecoder, SMTPReply,
// EnhancedStatusCode): the whole SMTP module would add NIOSSL, swift-crypto and
// swift-certificates, whose two BoringSSL copies multiply the cold build time, for code the
// decoder never calls.
import PackageDescription

let package = Package(
    name: "Fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Same version as the root Package.swift gives the SMTP target.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "MustacheRenderer"),
        .target(name: "MIMEMessage"),
        .target(
            name: "SMTPReplyWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        // Invariant checks shared by the harnesses (a serialised message's lines, bytes and header fields).
        .target(name: "FuzzSupport", dependencies: ["MIMEMessage"]),
        // The `<module>_main` entry points SwiftPM links executables against, handing over to libFuzzer.
        .target(name: "FuzzerEntry"),
        .executableTarget(name: "fuzz-mustache", dependencies: ["MustacheRenderer", "FuzzSupport", "FuzzerEntry"]),
        .executableTarget(name: "fuzz-address", dependencies: ["MIMEMessage", "FuzzSupport", "FuzzerEntry"]),
        .executableTarget(name: "fuzz-mime", dependencies: ["MIMEMessage", "FuzzSupport", "FuzzerEntry"]),
        .executableTarget(
            name: "fuzz-smtp-reply",
            dependencies: ["SMTPReplyWire", "FuzzSupport", "FuzzerEntry", .product(name: "NIOCore", package: "swift-nio")]
        ),
    ]
)
