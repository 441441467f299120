import ArgumentParser
import Foundation
import MailerService
import SMTP

/// `mailer check-smtp`: every step of an SMTP session with the service's own client, without
/// sending a message.
struct CheckSMTP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-smtp",
        abstract: "Check the SMTP settings step by step without sending a message.",
        discussion: """
            Reads the same environment variables as `mailer serve` (SMTP_HOST, SMTP_PORT, SMTP_SENDER, ...) and \
            runs connect, greeting, EHLO (listing the server's extensions), TLS (version, cipher, certificate \
            subject and expiry), AUTH, then MAIL FROM and RCPT TO followed by RSET instead of DATA, and QUIT. \
            Each step prints ✓ or ✗ with its duration; a failure shows its code (EAUTH, ECERT, ...) and a hint, \
            and the steps after it are listed as skipped. The password and OAuth2 token are never printed.
            Exit status: 0 when every step passed, 69 when a step failed, 78 when the configuration is invalid.
            """
    )

    @Flag(name: .long, help: "Print one JSON document (steps, ok, server, security) instead of text.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Probe RCPT TO with this address instead of SMTP_SENDER.", valueName: "ADDR"))
    var to: String?

    func validate() throws {
        if let to { _ = try EnvironmentConfiguration.recipient(to) }
    }

    func run() async throws {
        let configuration = try EnvironmentConfiguration.load()
        let recipient = try to.map(EnvironmentConfiguration.recipient) ?? configuration.sender
        let client = try EnvironmentConfiguration.client(configuration)
        let report = await SMTPDiagnostics(client: client).check(
            sender: configuration.sender.address, recipient: recipient.address, logger: EnvironmentConfiguration.quietLogger
        )
        FileHandle.standardOutput.write(Data((json ? report.jsonText + "\n" : report.text).utf8))
        if !report.ok { throw ExitCode(69) }  // EX_UNAVAILABLE
    }
}
