// swift-tools-version: 6.1
import PackageDescription

// Modules, lowest first; each imports only modules above it in this list:
//   MustacheRenderer  handwritten Mustache templates (no dependencies)
//   MIMEMessage       addresses, headers, multipart/alternative serialisation
//   DKIM              DKIM signatures of finished messages (rsa-sha256, ed25519-sha256)
//   SMTP              ESMTP client on SwiftNIO + NIOSSL (wire codec, state machine, connection, diagnostics)
//   Outbox            durable storage and scheduling state of outgoing emails (embedded SQLite)
//   OutboxPostgres    the same storage in a PostgreSQL database that several replicas share
//   MailerService     configuration, HTTP routes, rendering + sending, JSON logs, metrics, health
//   MailerCLI         the `mailer` executable (serve, render, check-smtp, send-test, queue, healthcheck)
let package = Package(
    name: "mailer",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mailer", targets: ["MailerCLI"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Outbox: sqlite-nio compiles SQLite from its own vendored amalgamation, so the build image, CI
        // and developer machines need no libsqlite3-dev, and every build runs the same SQLite version
        // (WAL and RETURNING behave alike everywhere). GRDB would link the system library instead.
        // The outbox calls that SQLite's C API (module VaporCSQLite, built with SQLiteNIO) from one
        // thread, a transaction per hand-off with statements prepared once; SQLiteNIO's connection
        // costs two thread hops and a fresh prepare per statement (see Sources/Outbox/SQLite).
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        // OutboxPostgres: MAILER_DATABASE_URL=postgres://... lets replicas share one outbox. PostgresClient
        // pools the connections and speaks TLS through NIOSSL, which the SMTP client already uses.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // GET /metrics: the service records through swift-metrics (Hummingbird already depends on
        // it), swift-prometheus keeps the values and writes the Prometheus text format.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Tests only: property-based checks of the renderer and the MIME writer.
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        .target(name: "MustacheRenderer"),
        .target(name: "MIMEMessage"),
        .target(
            name: "DKIM",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SMTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                // Reads the server certificate's subject, issuer and expiry for diagnostics.
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .target(
            name: "Outbox",
            dependencies: [
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ]
        ),
        .target(
            name: "OutboxPostgres",
            dependencies: [
                "Outbox",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MailerService",
            dependencies: [
                "MustacheRenderer", "MIMEMessage", "DKIM", "SMTP", "Outbox", "OutboxPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                // HTTP1Channel's configuration: the idle timeout and header limits.
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // `mailer healthcheck`: one HTTP/1.1 GET to the service itself, no HTTP client library.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "MailerCLI",
            dependencies: [
                "MailerService", "MustacheRenderer", "MIMEMessage", "SMTP", "Outbox", "OutboxPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // A real SMTP server (plain, STARTTLS, implicit TLS, AUTH, scripted faults) for tests only.
        .target(
            name: "SMTPTestServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/SMTPTestServer"
        ),
        // A real PostgreSQL server (Debian's binaries, on loopback, a database per test) for tests only.
        .target(
            name: "PostgresTestSupport",
            dependencies: [
                "OutboxPostgres", "SMTPTestServer",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/PostgresTestSupport"
        ),
        .testTarget(
            name: "MustacheRendererTests",
            dependencies: ["MustacheRenderer", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "MIMEMessageTests", dependencies: ["MIMEMessage", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "DKIMTests", dependencies: ["DKIM"]),
        // SQLiteNIO and PostgresNIO directly too: the tests look at what is stored through a second
        // connection of their own. The PostgreSQL cases run a server from the system's binaries.
        .testTarget(
            name: "OutboxTests",
            dependencies: [
                "Outbox", "OutboxPostgres", "PostgresTestSupport",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SMTPTests", dependencies: ["SMTP", "SMTPTestServer", .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(
            name: "MailerServiceTests",
            dependencies: [
                "MailerService", "SMTPTestServer", "Outbox", "OutboxPostgres", "PostgresTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // The readiness test holds the outbox's write lock through a connection of its own.
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ]
)
