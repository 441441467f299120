import SMTP

/// Every `code` a problem+json answer (or a deferred email's `error`) can carry, with what it
/// means: the list the OpenAPI document publishes. Callers branch on these strings, so codes are
/// added, never renamed; the conformance tests fail when an answer carries a code missing here.
enum ProblemCodes {
    /// Failures of the SMTP side, the same codes the logs and `mailer check-smtp` print.
    static let smtp: [(code: String, meaning: String)] = SMTPErrorCode.allCases.map { ($0.rawValue, meaning(of: $0)) }

    /// Failures of the request or of the service itself.
    static let http: [(code: String, meaning: String)] = [
        ("EUNAUTHORIZED", "401: no valid bearer token"),
        ("EVALIDATION", "400 malformed JSON or body, 422 an invalid, missing or unknown field (`field` names it)"),
        ("ETEMPLATE", "422: unknown template (`available` lists the templates) or missing template variables (`missing` lists them)"),
        ("EMESSAGE", "413: the request body is larger than MAILER_MAX_BODY_BYTES or the message than MAILER_MAX_MESSAGE_BYTES; 422: the message cannot be built"),
        ("ERATELIMIT", "429: MAILER_RATE_LIMIT_PER_MINUTE (per API token) or MAILER_PER_RECIPIENT_PER_HOUR (per flow and address, `field` names it) reached; `Retry-After` says when to send again"),
        ("ENOTFOUND", "404: no such email, or no such route"),
        ("ESTATE", "409: the email's status forbids the action (a sent email cannot be cancelled)"),
        ("EMETHOD", "405: the path exists, not with this method"),
        ("EOUTBOX", "503: the outbox cannot store or read emails (MAILER_DATA_DIR not writable, disk full)"),
        ("EDKIM", "500: the message could not be DKIM-signed (DKIM_PRIVATE_KEY)"),
        ("EINTERNAL", "500: an unexpected error; the log has details"),
    ]

    /// Each code once (EMESSAGE is both an SMTP and a request failure).
    static var all: [String] {
        var seen = Set<String>()
        return (smtp + http).map(\.code).filter { seen.insert($0).inserted }
    }

    /// The README's Errors table, in one line each.
    private static func meaning(of code: SMTPErrorCode) -> String {
        switch code {
        case .connectionRefused: "nothing listens on SMTP_HOST:SMTP_PORT"
        case .timedOut: "no answer in time (`phase` says where)"
        case .dns: "SMTP_HOST does not resolve"
        case .tls: "TLS could not be set up (`tlsReason` says why)"
        case .certificate: "the server certificate is not trusted or not issued for SMTP_HOST"
        case .authentication: "credentials or OAuth2 token rejected, or no usable AUTH mechanism"
        case .envelope: "sender or recipients rejected (`rejectedRecipients`)"
        case .message: "the message was refused at DATA, or is larger than the server's SIZE"
        case .protocolError: "the server's replies are not SMTP, or it refused the session"
        case .connection: "the connection closed before the server accepted any part of the message, or 421"
        case .connectionReset: "the connection was closed or reset in the middle of the mail transaction"
        case .hostUnreachable: "no route to SMTP_HOST"
        }
    }
}
