import Foundation
import Logging
import MIMEMessage
import SMTP

/// `mailer send-test` and `POST /v1/smtp/test`: a short real message through the client that sends
/// every other email, DKIM-signed like them when DKIM is configured. The session is opened first so
/// the message can say what carried it.
public struct TestEmailSender: Sendable {
    public static let subject = "mailer test message"

    /// DKIM signing failed: the key cannot sign (the same failure a real email would meet).
    public struct SigningError: Error, Sendable {
        public let detail: String
    }

    let configuration: MailerConfiguration
    let client: SMTPClient

    public init(configuration: MailerConfiguration, client: SMTPClient) {
        self.configuration = configuration
        self.client = client
    }

    /// Throws `SMTPError` when the server does not take it, `MessageError` when it cannot be built,
    /// `SigningError` when DKIM cannot sign it.
    public func send(to recipient: EmailAddress, logger: Logger) async throws -> SMTPDeliveryReceipt {
        let connection = try await client.connect(logger: logger)
        do {
            let mail = try compose(to: recipient, session: connection.session)
            let receipt = try await connection.send(mail)
            await connection.close()
            return receipt
        } catch {
            await connection.close()
            throw error
        }
    }

    func compose(to recipient: EmailAddress, session: SMTPSessionInfo, date: Date = Date()) throws -> SMTPMail {
        let facts = Self.facts(configuration: configuration, session: session)
        let sentence = "It was sent through \(facts.joined(separator: ", ")), on \(date.ISO8601Format())."
        let text = """
            This is a test message from mailer.

            \(sentence)

            If it reached you, the SMTP settings work. There is nothing to do.

            """
        let html = """
            <!DOCTYPE html>
            <html><body>
            <p>This is a test message from mailer.</p>
            <p>\(Self.escapeHTML(sentence))</p>
            <p>If it reached you, the SMTP settings work. There is nothing to do.</p>
            </body></html>

            """
        let message = MailMessage(from: configuration.sender, to: [recipient], subject: Self.subject, textBody: text, htmlBody: html, date: date)
        var content = try message.serialized()
        if let dkim = configuration.dkim {
            do {
                content = try dkim.sign(content, at: date)
            } catch {
                throw SigningError(detail: "DKIM signing failed (\(error)); check DKIM_PRIVATE_KEY")
            }
        }
        return SMTPMail(sender: configuration.sender.address, recipients: message.envelopeRecipients, content: content)
    }

    /// "smtp.example.com:587", "STARTTLS", "TLSv1.3 (TLS_AES_128_GCM_SHA256)", "AUTH PLAIN".
    static func facts(configuration: MailerConfiguration, session: SMTPSessionInfo) -> [String] {
        var facts = ["\(session.host):\(session.port)", configuration.smtp.security.label]
        if let version = session.tlsVersion {
            facts.append(version + (session.cipherSuite.map { " (\($0))" } ?? ""))
        } else {
            facts.append("not encrypted")
        }
        facts.append(session.authenticationMechanism.map { "AUTH \($0.rawValue)" } ?? "no AUTH")
        if let dkim = configuration.dkim { facts.append("DKIM-signed for \(dkim.domain) (selector \(dkim.selector))") }
        return facts
    }

    static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
