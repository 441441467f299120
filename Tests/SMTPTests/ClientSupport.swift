import SMTPTestServer
import Testing
@testable import SMTP

/// Shared by the suites that talk to the test server over loopback.
enum ClientSupport {
    static let mail = SMTPMail(
        sender: "no-reply@x.test",
        recipients: ["ada@y.test", "bob@y.test"],
        content: Array("From: no-reply@x.test\r\nTo: ada@y.test\r\nSubject: hi\r\n\r\nhello\r\n".utf8)
    )

    /// `timeout` bounds every step; long, because the tests that use the default wait for a reply or
    /// a closed connection that comes at once, and on a loaded machine (the whole suite runs in
    /// parallel on two cores) the test server's turn came after more than 5 s now and then. The
    /// tests that expect a timeout pass their own short one.
    static func plaintext(_ server: SMTPTestServer, timeout: Duration = .seconds(30)) -> SMTPClientConfiguration {
        SMTPClientTests.configuration(port: server.port, host: "127.0.0.1", security: .plaintext, timeout: timeout)
    }

    /// Sends `mail` and returns the error, recording an issue when the server accepted it.
    static func failure(_ configuration: SMTPClientConfiguration, mail: SMTPMail = Self.mail) async throws -> SMTPError {
        let client = try SMTPClient(configuration: configuration)
        let outcome: Result<SMTPDeliveryReceipt, SMTPError>
        do {
            outcome = .success(try await client.send(mail))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let receipt):
            Issue.record("expected a failure, but the server accepted: \(receipt.reply)")
            throw CancellationError()
        case .failure(let error):
            return error
        }
    }

    /// Polls `condition` for up to five seconds: for what the server sees after the client returned.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
