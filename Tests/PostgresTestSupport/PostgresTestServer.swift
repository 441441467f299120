#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import Logging
import OutboxPostgres
import PostgresNIO
import SMTPTestServer

/// A real PostgreSQL server for the tests, from the system's binaries (Debian's postgresql-15:
/// /usr/lib/postgresql/15/bin), started once per test process on a free loopback port, in a
/// temporary folder, and stopped when the process ends, however it ends.
///
/// Each test gets a database of its own (`makeDatabase()`), so tests run in parallel without
/// seeing each other's rows.
///
/// PostgreSQL refuses to run as root, and tests in containers often run as root: then initdb and
/// the server run as `nobody` (through `setpriv`), in a folder given to `nobody`.
public actor PostgresTestServer {
    public static let shared = PostgresTestServer(tls: false)
    /// The same with TLS on, its certificate for `localhost` only, from a throw-away CA (`caFile`).
    public static let sharedTLS = PostgresTestServer(tls: true)

    public let tls: Bool

    public init(tls: Bool) {
        self.tls = tls
    }

    /// Where the binaries are looked for: POSTGRES_BIN, else the newest Debian version installed.
    public static let binaries: String? = {
        if let given = ProcessInfo.processInfo.environment["POSTGRES_BIN"], !given.isEmpty { return given }
        for version in (12...18).reversed() {
            let folder = "/usr/lib/postgresql/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: folder + "/initdb") { return folder }
        }
        return nil
    }()

    /// Whether the PostgreSQL cases run: always in CI (where missing binaries must fail them,
    /// not skip them), elsewhere when the binaries are installed.
    public static var enabled: Bool {
        binaries != nil || ProcessInfo.processInfo.environment["CI"] != nil
    }

    private struct Running {
        var port: Int
        var admin: PostgresClient
        var adminTask: Task<Void, Never>
        var caFile: String?
    }

    private var running: Task<Running, any Error>?

    /// A new, empty database on the shared server, and its URL.
    public func makeDatabase() async throws -> PostgresURL {
        let server = try await start()
        let name = "outbox_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        // CREATE DATABASE takes no bound parameters; the name is made here of hex digits.
        try await server.admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        return PostgresURL(host: "127.0.0.1", port: server.port, username: "postgres", password: nil, database: name, sslMode: .disable)
    }

    /// The PEM file of the CA that signed a TLS server's certificate.
    public func caFile() async throws -> String {
        guard let file = try await start().caFile else { throw PostgresTestServerError("this server runs without TLS") }
        return file
    }

    /// A plain connection to `url`'s database, beside the store, to check what is really stored.
    public func withConnection<T: Sendable>(to url: PostgresURL, _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Self.quiet)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    public static let quiet = Logger(label: "postgres-test") { _ in SwiftLogNoOpLogHandler() }

    private func start() async throws -> Running {
        if let running { return try await running.value }
        let task = Task { [tls] in try await Self.launch(tls: tls) }
        running = task
        return try await task.value
    }

    private static func launch(tls: Bool) async throws -> Running {
        guard let binaries else {
            throw PostgresTestServerError(
                "no PostgreSQL server binaries (looked for /usr/lib/postgresql/*/bin/initdb): install them with `apt-get install postgresql` or set POSTGRES_BIN to the folder holding initdb and postgres; CI is set, so the PostgreSQL cases fail rather than skip")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-pg-\(UUID().uuidString)").path
        let data = folder + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        var owner: (uid: uid_t, gid: gid_t)?
        if asRoot {
            // The server's own user must own its folders; root may not run it.
            guard let nobody = getpwnam("nobody") else { throw PostgresTestServerError("running as root and there is no user nobody to run PostgreSQL as") }
            owner = (nobody.pointee.pw_uid, nobody.pointee.pw_gid)
            chown(folder, nobody.pointee.pw_uid, nobody.pointee.pw_gid)
        }
        var tlsOptions: [String] = []
        var caFile: String?
        if tls {
            let certificates = try TestCertificates.generate(hostnames: ["localhost"], ipAddresses: [])
            let certificate = folder + "/server.crt", key = folder + "/server.key"
            try Data(certificates.certificatePEM.utf8).write(to: URL(fileURLWithPath: certificate))
            try Data(certificates.privateKeyPEM.utf8).write(to: URL(fileURLWithPath: key))
            // PostgreSQL refuses a key that others can read.
            chmod(key, 0o600)
            if let owner {
                chown(certificate, owner.uid, owner.gid)
                chown(key, owner.uid, owner.gid)
            }
            caFile = try certificates.writeCA(to: URL(fileURLWithPath: folder + "/ca")).path
            tlsOptions = ["-c", "ssl=on", "-c", "ssl_cert_file=\(certificate)", "-c", "ssl_key_file=\(key)"]
        }
        let prefix = asRoot ? ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] : []

        let initdbLog = folder + "/initdb.log"
        let initdb = try await run(prefix + ["\(binaries)/initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"], output: initdbLog)
        guard initdb == 0 else {
            throw PostgresTestServerError("initdb failed (exit \(initdb)): \((try? String(contentsOfFile: initdbLog, encoding: .utf8)) ?? "")")
        }

        // Not a port from the ephemeral range: an outgoing connection could take it before postgres binds it.
        let port = ListeningPort.pick()
        // The server is a child of a shell that waits on its stdin: when this process ends, by
        // any means, the pipe closes, the shell wakes and stops the server, and removes the folder.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/bin/sh")
        let command = (prefix + [
            "\(binaries)/postgres", "-D", data, "-p", "\(port)", "-k", folder, "-c", "listen_addresses=127.0.0.1",
            // Durability is not what these tests check; fsync would only slow them down.
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=300", "-c", "shared_buffers=32MB",
        ] + tlsOptions).map { "'\($0)'" }.joined(separator: " ")
        server.arguments = ["-c", "\(command) >'\(folder)/server.log' 2>&1 & pid=$!; cat >/dev/null; kill -INT $pid; wait $pid; rm -rf '\(folder)'"]
        let stdin = Pipe()
        // Only the shell may hold this pipe: a server or initdb started meanwhile by another test
        // would otherwise inherit its write end, and the shell would never see it close.
        for end in [stdin.fileHandleForReading, stdin.fileHandleForWriting] {
            _ = fcntl(end.fileDescriptor, F_SETFD, FD_CLOEXEC)
        }
        server.standardInput = stdin
        try server.run()
        // Never released: the pipe's write end must stay open for as long as this process lives.
        _ = Unmanaged.passRetained(stdin)

        var admin: PostgresClient?
        var lastError: (any Error)?
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let ready = try await run(["\(binaries)/pg_isready", "-h", "127.0.0.1", "-p", "\(port)", "-q"], output: nil)
            if ready == 0 {
                admin = PostgresClient(configuration: PostgresClient.Configuration(
                    host: "127.0.0.1", port: port, username: "postgres", password: nil, database: "postgres", tls: .disable))
                break
            }
            if !server.isRunning {
                let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
                throw PostgresTestServerError("the PostgreSQL server stopped at start-up: \(log)")
            }
            lastError = PostgresTestServerError("pg_isready said \(ready)")
            try await Task.sleep(for: .milliseconds(100))
        }
        guard let admin else {
            throw PostgresTestServerError("the PostgreSQL server did not accept connections on port \(port) within 30 s: \(lastError.map { "\($0)" } ?? "")")
        }
        let adminTask = Task { await admin.run() }
        return Running(port: port, admin: admin, adminTask: adminTask, caFile: caFile)
    }

    /// Runs a program to its end on a thread of its own (waiting on the cooperative pool, two
    /// threads on a two-core machine, would stall every other test meanwhile); its output goes to
    /// `output`, a file, or nowhere.
    ///
    /// posix_spawn and waitpid, not Foundation's `Process`: on Linux it learns of a child's exit
    /// from a socket it gives the child, which any process started meanwhile inherits
    /// (swift-corelibs-foundation#4795), here the long-lived server shell of another test. Its
    /// `waitUntilExit()` then waits forever beside a zombie: CI saw a `pg_isready` left `<defunct>`
    /// and every PostgreSQL test behind it run into its time limit.
    private static func run(_ arguments: [String], output: String?) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try spawnAndWait(arguments, output: output) })
            }
        }
    }

    private static func spawnAndWait(_ arguments: [String], output: String?) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw PostgresTestServerError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw PostgresTestServerError("waiting for \(arguments[0]) failed: errno \(errno)") }
        }
        // WIFEXITED and WEXITSTATUS are macros Swift does not import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

public struct PostgresTestServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
