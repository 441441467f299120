import ArgumentParser
import Foundation
import MIMEMessage
import MailerService
import SMTP

/// `mailer send-test --to ADDR`: one real, short message through the service's own client.
struct SendTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Send a short test message to ADDR and show what carried it.",
        discussion: """
            Reads the same environment variables as `mailer serve`. The message (subject "\(TestEmailSender.subject)", \
            text and HTML) says which host, port, security and TLS version carried it. Prints the server's reply and \
            the TLS details, or the failure's code and hint.
            Exit status: 0 when the server took the message, 69 when it did not, 78 when the configuration is invalid.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The recipient of the test message.", valueName: "ADDR"))
    var to: String

    func validate() throws {
        _ = try EnvironmentConfiguration.recipient(to)
    }

    func run() async throws {
        let configuration = try EnvironmentConfiguration.load()
        let recipient = try EnvironmentConfiguration.recipient(to)
        let client = try EnvironmentConfiguration.client(configuration)
        let smtp = configuration.smtp
        var lines: [String]
        var failed = false
        do {
            let receipt = try await TestEmailSender(configuration: configuration, client: client)
                .send(to: recipient, logger: EnvironmentConfiguration.quietLogger)
            lines = ["✓ test message sent to \(recipient.address) through \(smtp.host):\(smtp.port) (\(smtp.security.label))",
                     "server said: \(receipt.reply)"]
            if receipt.tlsVersion != nil {
                lines += receipt.session.tlsDescription(skipVerify: smtp.tls.skipVerify).enumerated().map { $0 == 0 ? "TLS: \($1)" : $1 }
            } else {
                lines.append("TLS: none, the session was not encrypted")
            }
            lines.append("AUTH: \(receipt.session.authenticationMechanism?.rawValue ?? "none")")
        } catch let error as SMTPError {
            failed = true
            lines = ["✗ test message not sent to \(recipient.address) through \(smtp.host):\(smtp.port) (\(smtp.security.label))",
                     "\(error.code.rawValue)  \(error.message)"]
            if let reply = error.reply { lines.append("server said: \(reply)") }
            lines.append("hint: \(error.hint)")
        } catch let error as MessageError {
            throw CLIError("the test message cannot be built: \(error.field): \(error.reason)")
        } catch let error as TestEmailSender.SigningError {
            throw CLIError("the test message cannot be signed: \(error.detail)")
        }
        let text = lines.enumerated().map { $0 == 0 ? $1 : "  " + $1 }.joined(separator: "\n") + "\n"
        FileHandle.standardOutput.write(Data(text.utf8))
        if failed { throw ExitCode(69) }  // EX_UNAVAILABLE
    }
}
