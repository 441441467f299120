import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Logging
import MIMEMessage
import Synchronization
@testable import MailerService

/// The repository's own templates folder, so tests exercise the emails users get.
let templatesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("templates").path

/// A fresh templates folder holding `files` (relative path → content).
func templateFolder(_ files: [String: String]) throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
    try writeFiles(files, under: root.path)
    return root.path
}

func writeFiles(_ files: [String: String], under root: String) throws {
    for (path, content) in files {
        let url = URL(fileURLWithPath: root).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// Collects the JSON log lines the service writes.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    private let level: Logger.Level

    /// - Parameter level: MAILER_LOG_LEVEL's part: lines below it are not written.
    init(level: Logger.Level = .debug) {
        self.level = level
    }

    var logger: Logger {
        let sink = LogSink { [self] line in self.lines.withLock { $0.append(line) } }
        let level = level
        return Logger(label: "test") { label in JSONLogHandler(label: label, level: level, sink: sink) }
    }

    var text: String { lines.withLock { $0.joined() } }

    var records: [[String: Any]] {
        lines.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// The token of every test service (MAILER_API_TOKENS in `environment`), which `withService`'s
/// client sends: the routes are tested with authentication on, as the service runs by default.
let testAPIToken = "test-token-5f0b7c1e9a2d4e6f"

func environment(smtpPort: Int, _ extra: [String: String] = [:]) -> [String: String] {
    var environment = [
        "MAILER_API_TOKENS": "tests:\(testAPIToken)",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": "\(smtpPort)",
        "SMTP_SENDER": "no-reply@example.com",
        "MAILER_TEMPLATES_DIR": templatesDirectory,
        "MAILER_BASE_URL": "https://app.example.com",
        "MAILER_FROM_NAME": "Acme",
        "MAILER_HELO_NAME": "mailer.test",
        // Room for a loaded machine (the suite runs in parallel on two cores): no test here waits
        // for one of these to expire, and a reply that takes longer is a test's false failure.
        "SMTP_CONNECT_TIMEOUT": "10",
        "SMTP_GREETING_TIMEOUT": "10",
        "SMTP_COMMAND_TIMEOUT": "10",
        "SMTP_DATA_TIMEOUT": "10",
        // Each service gets its own outbox, so no test sees another's queued emails.
        "MAILER_DATA_DIR": FileManager.default.temporaryDirectory.appendingPathComponent("mailer-data-\(UUID().uuidString)").path,
    ]
    environment.merge(extra) { _, new in new }
    return environment
}

/// The problem lines `fromEnvironment` reports for `environment(smtpPort: 25, extra)`; empty when it starts.
func configurationProblems(_ extra: [String: String]) -> [ConfigurationProblem] {
    do {
        _ = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, extra))
        return []
    } catch {
        return error.problems
    }
}

struct Answer {
    let status: HTTPResponse.Status
    let contentType: String?
    let json: [String: Any]
}

/// Runs the real application on a free port and hands a live HTTP client to `body`; the client
/// sends `Authorization: Bearer <token>` on every request that has no Authorization of its own,
/// unless `token` is nil.
func withService(
    smtpPort: Int,
    _ extra: [String: String] = [:],
    log: CapturedLog = CapturedLog(),
    token: String? = testAPIToken,
    clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: smtpPort, extra))
    let app = try await MailerApplication.assemble(configuration: configuration, logger: log.logger, clock: clock).application
    try await app.test(.live) { client in
        try await body(token.map { AuthorizingClient(client: client, token: $0) } ?? client)
    }
}

/// A route the application's router serves, as OpenAPI writes paths (`/v1/emails/{id}`).
struct ServedRoute: Hashable, Sendable, CustomStringConvertible {
    let method: String
    let path: String
    var description: String { "\(method.uppercased()) \(path)" }
}

/// `withService` with the routes the router serves, and a client that adds no token (wrap it in
/// `AuthorizingClient` for the requests that need one).
func withServiceAndRoutes(
    smtpPort: Int,
    _ extra: [String: String] = [:],
    log: CapturedLog = CapturedLog(),
    _ body: @escaping @Sendable (any TestClientProtocol, Set<ServedRoute>) async throws -> Void
) async throws {
    let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: smtpPort, extra))
    let (app, routes) = try await MailerApplication.assemble(configuration: configuration, logger: log.logger)
    let served = Set(routes.map { ServedRoute(method: $0.method.rawValue.lowercased(), path: openAPIPath($0.path.description)) })
    try await app.test(.live) { client in
        try await body(client, served)
    }
}

/// Hummingbird's `:id` (and its own `{id}`) captures in OpenAPI's `{id}` form.
func openAPIPath(_ routerPath: String) -> String {
    "/" + routerPath.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
}

/// A test client that adds the bearer token to requests without an Authorization header.
struct AuthorizingClient: TestClientProtocol {
    let client: any TestClientProtocol
    let token: String

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if headers[.authorization] == nil { headers[.authorization] = "Bearer \(token)" }
        return try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
    }

    var port: Int? { client.port }
}

func post(_ client: any TestClientProtocol, _ path: String, _ body: String, prefer: String? = "wait=15") async throws -> Answer {
    var headers: HTTPFields = [.contentType: "application/json"]
    if let prefer { headers[HTTPField.Name("Prefer")!] = prefer }
    return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
        return Answer(status: response.status, contentType: response.headers[.contentType], json: json)
    }
}

struct TextAnswer {
    let status: HTTPResponse.Status
    let contentType: String?
    let body: String

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
}

func get(_ client: any TestClientProtocol, _ path: String) async throws -> TextAnswer {
    try await client.execute(uri: path, method: .get) { response in
        TextAnswer(status: response.status, contentType: response.headers[.contentType], body: String(buffer: response.body))
    }
}

/// The time a service's rate limits read, moved by the test instead of waiting.
final class ManualClock: Sendable {
    private let start = ContinuousClock.now
    private let elapsed = Mutex<Duration>(.zero)

    var now: ContinuousClock.Instant { start + elapsed.withLock { $0 } }

    func advance(_ duration: Duration) {
        elapsed.withLock { $0 += duration }
    }
}
