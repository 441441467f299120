import Foundation
import Logging
import MIMEMessage
import Synchronization
@testable import MailerService

/// The repository's own templates folder, so tests exercise the emails users get.
let templatesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("templates").path

/// Collects the JSON log lines the service writes.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        let sink = LogSink { [self] line in self.lines.withLock { $0.append(line) } }
        return Logger(label: "test") { label in JSONLogHandler(label: label, level: .debug, sink: sink) }
    }

    var text: String { lines.withLock { $0.joined() } }

    var records: [[String: Any]] {
        lines.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

func environment(smtpPort: Int, _ extra: [String: String] = [:]) -> [String: String] {
    var environment = [
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": "\(smtpPort)",
        "SMTP_SENDER": "no-reply@example.com",
        "MAILER_TEMPLATES_DIR": templatesDirectory,
        "MAILER_BASE_URL": "https://app.example.com",
        "MAILER_FROM_NAME": "Acme",
        "MAILER_HELO_NAME": "mailer.test",
        "SMTP_CONNECT_TIMEOUT": "2",
        "SMTP_GREETING_TIMEOUT": "2",
        "SMTP_COMMAND_TIMEOUT": "2",
        "SMTP_DATA_TIMEOUT": "2",
    ]
    environment.merge(extra) { _, new in new }
    return environment
}
