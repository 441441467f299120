/// The catalog of failures with their hints. Hints depend on the configuration because the
/// fix usually does: the same handshake failure means "turn TLS off" on 587 and "turn it on" on 465.
extension SMTPError {
    static func connectionRefused(_ config: SMTPClientConfiguration) -> SMTPError {
        var hint = "nothing is listening on \(config.host):\(config.port): check SMTP_HOST and SMTP_PORT (587 for STARTTLS, 465 for implicit TLS, 25 for relays)"
        if isLoopback(config.host) {
            hint += "; inside a container, localhost is the container itself: use the SMTP server's service name (e.g. mailpit)"
        }
        return SMTPError(code: .connectionRefused, message: "connection to \(config.host):\(config.port) refused", hint: hint)
    }

    static func connectTimedOut(_ config: SMTPClientConfiguration) -> SMTPError {
        SMTPError(
            code: .timedOut,
            message: "no connection to \(config.host):\(config.port) within \(config.timeouts.connect)",
            hint: "the host did not answer: check SMTP_HOST and SMTP_PORT, and whether a firewall drops the traffic (many cloud providers block outgoing port 25)"
        )
    }

    /// A plaintext SMTP server greets at once; one that stays silent after TCP connects is almost
    /// always an implicit-TLS port waiting for our ClientHello (port 465 with SMTP_TLS=false).
    static func greetingTimedOut(_ config: SMTPClientConfiguration) -> SMTPError {
        if config.security != .implicitTLS {
            return SMTPError(
                code: .tls,
                message: "\(config.host):\(config.port) sent no SMTP greeting within \(config.timeouts.greeting); it is probably waiting for a TLS handshake (implicit TLS)",
                hint: config.port == 465
                    ? "port 465 usually expects implicit TLS: set SMTP_TLS=true"
                    : "if this port expects implicit TLS (usually 465), set SMTP_TLS=true; otherwise check SMTP_PORT points at an SMTP server"
            )
        }
        return SMTPError(
            code: .timedOut,
            message: "\(config.host):\(config.port) completed TLS but sent no SMTP greeting within \(config.timeouts.greeting)",
            hint: "the server is up but not answering: check SMTP_PORT points at an SMTP server, or raise SMTP_GREETING_TIMEOUT for a slow one"
        )
    }

    static func commandTimedOut(_ config: SMTPClientConfiguration, command: String, after duration: Duration) -> SMTPError {
        SMTPError(
            code: .timedOut,
            message: "no reply to \(command) within \(duration)",
            hint: command == SMTPConversation.endOfMessage
                ? afterDataHint
                : "the server stopped answering: it may be overloaded or rate-limiting this client; the message was not accepted and can be sent again",
            command: command
        )
    }

    /// Once the message is sent, silence or a broken connection leaves its fate unknown (RFC 1047).
    static let afterDataHint = "the server may already have accepted the message: sending it again may deliver it twice; raise SMTP_DATA_TIMEOUT if the server is slow to confirm"

    static func dns(_ config: SMTPClientConfiguration, detail: String) -> SMTPError {
        SMTPError(
            code: .dns,
            message: "cannot resolve SMTP host \(config.host): \(detail)",
            hint: "check the spelling of SMTP_HOST; with docker compose use the SMTP service's name, and make sure the container has DNS"
        )
    }

    static func implicitTLSFailed(_ config: SMTPClientConfiguration, detail: String) -> SMTPError {
        let hint: String
        switch config.port {
        case 587: hint = "port 587 usually expects SMTP_TLS=false with SMTP_OPPORTUNISTIC_TLS=true"
        case 25, 1025, 2525: hint = "port \(config.port) usually speaks plaintext SMTP first: set SMTP_TLS=false (STARTTLS upgrades when offered)"
        default: hint = "the server did not complete a TLS handshake on connect: if it speaks plaintext SMTP first (STARTTLS ports such as 587), set SMTP_TLS=false with SMTP_OPPORTUNISTIC_TLS=true"
        }
        return SMTPError(code: .tls, message: "TLS handshake with \(config.host):\(config.port) failed: \(detail)", hint: hint)
    }

    static func startTLSFailed(_ config: SMTPClientConfiguration, detail: String, reply: SMTPReply? = nil) -> SMTPError {
        SMTPError(
            code: .tls,
            message: "STARTTLS with \(config.host):\(config.port) failed: \(detail)",
            hint: config.port == 465
                ? "port 465 usually expects implicit TLS: set SMTP_TLS=true"
                : reply != nil
                ? "the server offered STARTTLS and then refused it, usually a temporary server problem; send again later, or set SMTP_OPPORTUNISTIC_TLS=false for a server with broken TLS on a trusted network"
                : "the STARTTLS handshake failed: check SMTP_CIPHER_SPEC, or set SMTP_OPPORTUNISTIC_TLS=false for a server with broken TLS on a trusted network",
            reply: reply,
            command: reply == nil ? nil : "STARTTLS"
        )
    }

    static func certificate(_ config: SMTPClientConfiguration, detail: String) -> SMTPError {
        SMTPError(
            code: .certificate,
            message: "the certificate of \(config.host):\(config.port) was not accepted: \(detail)",
            hint: "use the host name the certificate is issued for in SMTP_HOST; for a private CA set SMTP_CA_FILE to its PEM file; SMTP_TLS_SKIP_VERIFY=true only for internal servers"
        )
    }

    static func authenticationRejected(reply: SMTPReply, command: String) -> SMTPError {
        SMTPError(
            code: .authentication,
            message: "the server rejected the credentials",
            hint: "check SMTP_USERNAME and SMTP_PASSWORD; Gmail, Outlook and iCloud need an app password, not the account password",
            reply: reply,
            command: command
        )
    }

    static func authenticationUnavailable(_ config: SMTPClientConfiguration, offered: [String], secure: Bool) -> SMTPError {
        let message = offered.isEmpty
            ? "the server does not offer AUTH on this connection"
            : "the server offers no supported AUTH mechanism (it offers \(offered.joined(separator: ", ")); PLAIN and LOGIN are supported)"
        let hint = secure || !offered.isEmpty
            ? "remove SMTP_USERNAME/SMTP_PASSWORD if this server needs no login, or use the provider's submission port (587 or 465)"
            : "servers usually offer AUTH only after TLS: keep SMTP_OPPORTUNISTIC_TLS=true (port 587) or use SMTP_TLS=true (port 465)"
        return SMTPError(code: .authentication, message: message, hint: hint)
    }

    static func insecureAuthRefused(_ config: SMTPClientConfiguration) -> SMTPError {
        SMTPError(
            code: .authentication,
            message: "refusing to send SMTP credentials over an unencrypted connection to \(config.host):\(config.port)",
            hint: "enable TLS (SMTP_TLS=true on 465, or SMTP_OPPORTUNISTIC_TLS=true on a server offering STARTTLS), or set SMTP_ALLOW_INSECURE_AUTH=true for a trusted local server"
        )
    }

    static func authenticationRequired(reply: SMTPReply, command: String) -> SMTPError {
        SMTPError(
            code: .authentication,
            message: "the server requires authentication",
            hint: "set SMTP_USERNAME and SMTP_PASSWORD",
            reply: reply,
            command: command
        )
    }

    static func senderRejected(reply: SMTPReply, command: String) -> SMTPError {
        SMTPError(
            code: .envelope,
            message: "the server rejected the sender",
            hint: "check SMTP_SENDER: providers accept only addresses or domains verified for your account",
            reply: reply,
            command: command
        )
    }

    static func recipientRejected(reply: SMTPReply, command: String, recipient: String) -> SMTPError {
        SMTPError(
            code: .envelope,
            message: "the server rejected the recipient \(recipient)",
            hint: reply.isTransient
                ? "the server deferred the recipient (greylisting, rate limit or mailbox busy): send again later"
                : "check the recipient address; a relay answering 'relay denied' needs SMTP_USERNAME/SMTP_PASSWORD",
            reply: reply,
            command: command
        )
    }

    static func messageRejected(reply: SMTPReply, command: String) -> SMTPError {
        SMTPError(
            code: .message,
            message: "the server refused the message",
            hint: reply.isTransient
                ? "the server deferred the message: send again later"
                : "read the server's reply: size limit, content filter or the sender domain's SPF/DKIM/DMARC policy",
            reply: reply,
            command: command
        )
    }

    static func protocolViolation(_ config: SMTPClientConfiguration, detail: String, reply: SMTPReply? = nil, command: String? = nil) -> SMTPError {
        SMTPError(
            code: .protocolError,
            message: detail,
            hint: "check that SMTP_HOST:SMTP_PORT (\(config.host):\(config.port)) is an SMTP server and SMTP_TLS matches it (465: true, 587/25: false)",
            reply: reply,
            command: command
        )
    }

    static func connectionLost(_ config: SMTPClientConfiguration, during phase: String, reply: SMTPReply? = nil) -> SMTPError {
        SMTPError(
            code: .connection,
            message: reply == nil
                ? "\(config.host):\(config.port) closed the connection during \(phase)"
                : "\(config.host):\(config.port) is closing the session (during \(phase))",
            hint: phase == SMTPConversation.endOfMessage
                ? afterDataHint
                : "the server dropped the session (connection limits, rate limits or a filter); the message was not accepted and can be sent again",
            reply: reply
        )
    }

    static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        return lowered == "localhost" || lowered.hasPrefix("127.") || lowered == "::1" || lowered == "[::1]"
    }
}
