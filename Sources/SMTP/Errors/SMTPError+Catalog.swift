/// The catalog of failures with their hints. Hints depend on the configuration because the
/// fix usually does: the same handshake failure means "turn TLS off" on 587 and "turn it on" on 465.
extension SMTPError {
    static func connectionRefused(_ config: SMTPClientConfiguration) -> SMTPError {
        var hint = "nothing is listening on \(config.host):\(config.port): check SMTP_HOST and SMTP_PORT (587 for STARTTLS, 465 for implicit TLS, 25 for relays)"
        if isLoopback(config.host) {
            hint += "; inside a container, localhost is the container itself: use the SMTP server's service name (e.g. mailpit)"
        }
        return SMTPError(code: .connectionRefused, message: "connection to \(config.host):\(config.port) refused", hint: hint, phase: .connect)
    }

    static func hostUnreachable(_ config: SMTPClientConfiguration, detail: String) -> SMTPError {
        SMTPError(
            code: .hostUnreachable,
            message: "no route to \(config.host):\(config.port): \(detail)",
            hint: "the network has no path to SMTP_HOST: check the host's address, the container's network (docker compose networks) and whether IPv6 is routed when the name resolves to an IPv6 address",
            phase: .connect
        )
    }

    static func connectTimedOut(_ config: SMTPClientConfiguration) -> SMTPError {
        SMTPError(
            code: .timedOut,
            message: "no connection to \(config.host):\(config.port) within \(config.timeouts.connect) (connect)",
            hint: "the host did not answer: check SMTP_HOST and SMTP_PORT, and whether a firewall drops the traffic (many cloud providers block outgoing port 25)",
            phase: .connect
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
                    : "if this port expects implicit TLS (usually 465), set SMTP_TLS=true; otherwise check SMTP_PORT points at an SMTP server",
                phase: .greeting,
                tlsReason: "no greeting in plaintext"
            )
        }
        return SMTPError(
            code: .timedOut,
            message: "\(config.host):\(config.port) completed TLS but sent no SMTP greeting within \(config.timeouts.greeting) (greeting)",
            hint: "the server is up but not answering: check SMTP_PORT points at an SMTP server, or raise SMTP_GREETING_TIMEOUT for a slow one",
            phase: .greeting
        )
    }

    /// The TCP connection stands but the TLS handshake does not finish.
    static func handshakeTimedOut(_ config: SMTPClientConfiguration, after duration: Duration) -> SMTPError {
        SMTPError(
            code: .timedOut,
            message: "no TLS handshake with \(config.host):\(config.port) within \(duration) (TLS handshake)",
            hint: config.security == .implicitTLS
                ? "the port accepted TCP but did not complete TLS: implicit TLS (SMTP_TLS=true) is for port 465; for 587 or 25 set SMTP_TLS=false"
                : "the server accepted STARTTLS but did not complete the handshake: it may be overloaded; send again later, or check SMTP_CIPHER_SPEC",
            phase: .tlsHandshake
        )
    }

    static func commandTimedOut(_ config: SMTPClientConfiguration, command: String, phase: SMTPPhase, after duration: Duration) -> SMTPError {
        SMTPError(
            code: .timedOut,
            message: phase == .endOfMessage
                ? "no reply to the end of the message (DATA end) within \(duration)"
                : "no reply to \(command) within \(duration) (command \(phase))",
            hint: phase == .endOfMessage
                ? afterDataHint
                : "the server stopped answering: it may be overloaded or rate-limiting this client; the message was not accepted and can be sent again",
            command: command,
            phase: phase
        )
    }

    /// Once the message is sent, silence or a broken connection leaves its fate unknown (RFC 1047).
    static let afterDataHint = "the server may already have accepted the message: sending it again may deliver it twice; raise SMTP_DATA_TIMEOUT if the server is slow to confirm"

    static func dns(_ config: SMTPClientConfiguration, detail: String) -> SMTPError {
        SMTPError(
            code: .dns,
            message: "cannot resolve SMTP host \(config.host): \(detail)",
            hint: "check the spelling of SMTP_HOST; with docker compose use the SMTP service's name, and make sure the container has DNS",
            phase: .connect
        )
    }

    static func implicitTLSFailed(_ config: SMTPClientConfiguration, detail: String, reason: String?) -> SMTPError {
        let hint: String
        switch config.port {
        case 587: hint = "port 587 usually expects SMTP_TLS=false with SMTP_OPPORTUNISTIC_TLS=true (STARTTLS); implicit TLS is for port 465"
        case 25, 1025, 2525: hint = "port \(config.port) usually speaks plaintext SMTP first: set SMTP_TLS=false (STARTTLS upgrades when offered); implicit TLS is for port 465"
        default: hint = "the server did not complete a TLS handshake on connect: implicit TLS (SMTP_TLS=true) is for port 465; if it speaks plaintext SMTP first (STARTTLS ports such as 587), set SMTP_TLS=false with SMTP_OPPORTUNISTIC_TLS=true"
        }
        return SMTPError(code: .tls, message: "TLS handshake with \(config.host):\(config.port) failed: \(detail)", hint: hint, phase: .tlsHandshake, tlsReason: reason)
    }

    static func startTLSFailed(_ config: SMTPClientConfiguration, detail: String, reply: SMTPReply? = nil, reason: String? = nil) -> SMTPError {
        SMTPError(
            code: .tls,
            message: "STARTTLS with \(config.host):\(config.port) failed: \(detail)",
            hint: config.port == 465
                ? "port 465 usually expects implicit TLS: set SMTP_TLS=true"
                : reply != nil
                ? "the server offered STARTTLS and then refused it, usually a temporary server problem; send again later, or set SMTP_OPPORTUNISTIC_TLS=false for a server with broken TLS on a trusted network"
                : "the STARTTLS handshake failed: check SMTP_CIPHER_SPEC, or set SMTP_OPPORTUNISTIC_TLS=false for a server with broken TLS on a trusted network",
            reply: reply,
            command: reply == nil ? nil : "STARTTLS",
            phase: reply == nil ? .tlsHandshake : .startTLS,
            tlsReason: reason
        )
    }

    /// SMTP_REQUIRE_STARTTLS: a server (or a man in the middle stripping the keyword) that does not
    /// offer STARTTLS must not make us continue in plaintext.
    static func startTLSRequired(_ config: SMTPClientConfiguration) -> SMTPError {
        SMTPError(
            code: .tls,
            message: "\(config.host):\(config.port) does not offer STARTTLS and SMTP_REQUIRE_STARTTLS is true; nothing was sent in plaintext",
            hint: config.port == 465
                ? "port 465 expects implicit TLS: set SMTP_TLS=true"
                : "use the provider's submission port (587 with STARTTLS, or 465 with SMTP_TLS=true); something on the path may be stripping STARTTLS; set SMTP_REQUIRE_STARTTLS=false only for a trusted plaintext relay",
            command: "EHLO",
            phase: .ehlo,
            tlsReason: "STARTTLS not offered"
        )
    }

    /// Bytes that arrived with the 220 to STARTTLS would be read as if they came through TLS.
    static func plaintextAfterStartTLS(_ config: SMTPClientConfiguration, bytes: Int) -> SMTPError {
        SMTPError(
            code: .tls,
            message: "\(config.host):\(config.port) sent \(bytes) more bytes right after its 220 reply to STARTTLS, before TLS started",
            hint: "something on the path may be injecting data into the session (STARTTLS injection); nothing was sent. Check for a proxy or filter between the mailer and the server, or use implicit TLS (SMTP_TLS=true, port 465)",
            command: "STARTTLS",
            phase: .startTLS,
            isTransient: false
        )
    }

    /// Why the server certificate was refused: the fixes differ (SMTP_CA_FILE for the chain,
    /// SMTP_HOST for the name), so the hint names only the one that applies.
    enum CertificateProblem: Sendable {
        /// Not signed by a trusted CA (or expired, or not yet valid).
        case untrusted
        /// Trusted, but not issued for SMTP_HOST.
        case wrongName
    }

    static func certificate(_ config: SMTPClientConfiguration, detail: String, problem: CertificateProblem = .untrusted) -> SMTPError {
        let hint: String
        switch problem {
        case .wrongName:
            hint = "set SMTP_HOST to a name the certificate is issued for (listed in the message), not an alias or address of the server; SMTP_TLS_SKIP_VERIFY=true only for internal servers"
        case .untrusted:
            if let caFile = config.tls.caFile {
                hint = "SMTP_CA_FILE (\(caFile)) does not hold the CA that issued the server's certificate, and no system CA did (or the certificate expired): put the issuing CA's PEM certificate in SMTP_CA_FILE; SMTP_TLS_SKIP_VERIFY=true only for internal servers"
            } else {
                hint = "no trusted CA issued the server's certificate (a private or self-signed CA), or it expired: set SMTP_CA_FILE to the issuing CA's PEM file; SMTP_TLS_SKIP_VERIFY=true only for internal servers"
            }
        }
        return SMTPError(
            code: .certificate,
            message: "the certificate of \(config.host):\(config.port) was not accepted: \(detail)",
            hint: hint,
            phase: .tlsHandshake
        )
    }

    static func authenticationRejected(reply: SMTPReply, command: String, detail: String? = nil) -> SMTPError {
        let oauth = command.contains("XOAUTH2")
        return SMTPError(
            code: .authentication,
            message: "the server rejected the credentials" + (detail.map { " (\($0))" } ?? ""),
            hint: oauth
                ? "the OAuth2 access token was refused: it may have expired (they last about an hour) or lack the mail scope; refresh SMTP_OAUTH2_TOKEN and check SMTP_USERNAME is the token's account"
                : "check SMTP_USERNAME and SMTP_PASSWORD; Gmail, Outlook and iCloud need an app password, not the account password",
            reply: reply,
            command: command,
            phase: .auth
        )
    }

    static func authenticationUnavailable(_ config: SMTPClientConfiguration, offered: [String], secure: Bool) -> SMTPError {
        let message: String
        if offered.isEmpty {
            message = "the server does not offer AUTH on this connection"
        } else if config.oauth2Token != nil {
            message = "SMTP_OAUTH2_TOKEN is set but the server does not offer XOAUTH2 (it offers \(offered.joined(separator: ", ")))"
        } else {
            message = "the server offers no supported AUTH mechanism (it offers \(offered.joined(separator: ", ")); PLAIN, LOGIN and CRAM-MD5 are supported)"
        }
        let hint = secure || !offered.isEmpty
            ? (config.oauth2Token != nil
                ? "remove SMTP_OAUTH2_TOKEN to log in with SMTP_PASSWORD, or use a provider that supports OAuth2 for SMTP (Gmail, Outlook)"
                : "remove SMTP_USERNAME/SMTP_PASSWORD if this server needs no login, or use the provider's submission port (587 or 465)")
            : "servers usually offer AUTH only after TLS: keep SMTP_OPPORTUNISTIC_TLS=true (port 587) or use SMTP_TLS=true (port 465)"
        return SMTPError(code: .authentication, message: message, hint: hint, phase: .auth)
    }

    static func insecureAuthRefused(_ config: SMTPClientConfiguration) -> SMTPError {
        SMTPError(
            code: .authentication,
            message: "refusing to send SMTP credentials over an unencrypted connection to \(config.host):\(config.port)",
            hint: "enable TLS (SMTP_TLS=true on 465, or SMTP_OPPORTUNISTIC_TLS=true on a server offering STARTTLS), or set SMTP_ALLOW_INSECURE_AUTH=true for a trusted local server",
            phase: .auth
        )
    }

    static func oauth2NeedsUsername() -> SMTPError {
        SMTPError(
            code: .authentication,
            message: "XOAUTH2 needs the account name as well as the token",
            hint: "set SMTP_USERNAME to the mailbox the SMTP_OAUTH2_TOKEN was issued for",
            phase: .auth
        )
    }

    static func authenticationRequired(reply: SMTPReply, command: String, phase: SMTPPhase) -> SMTPError {
        SMTPError(
            code: .authentication,
            message: "the server requires authentication",
            hint: "set SMTP_USERNAME and SMTP_PASSWORD",
            reply: reply,
            command: command,
            phase: phase
        )
    }

    static func senderRejected(reply: SMTPReply, command: String) -> SMTPError {
        SMTPError(
            code: .envelope,
            message: "the server rejected the sender",
            hint: reply.isTransient
                ? "the server deferred the sender (rate limit or a temporary policy): send again later"
                : "check SMTP_SENDER: providers accept only addresses or domains verified for your account",
            reply: reply,
            command: command,
            phase: .mailFrom
        )
    }

    /// One or more RCPT TO refused. The first refusal's reply is `reply`; the failure is transient
    /// only when every refusal was, because a retry cannot succeed while one recipient stays refused.
    static func recipientsRejected(_ rejections: [(recipient: String, reply: SMTPReply)]) -> SMTPError {
        let first = rejections[0]
        let names = rejections.map(\.recipient)
        let allTransient = rejections.allSatisfy { $0.reply.isTransient }
        return SMTPError(
            code: .envelope,
            message: names.count == 1
                ? "the server rejected the recipient \(first.recipient)"
                : "the server rejected the recipients \(names.joined(separator: ", "))",
            hint: allTransient
                ? "the server deferred the recipient (greylisting, rate limit or mailbox busy): send again later"
                : "check the recipient address; a relay answering 'relay denied' needs SMTP_USERNAME/SMTP_PASSWORD; nothing was sent to the other recipients",
            reply: first.reply,
            command: "RCPT TO:<\(first.recipient)>",
            phase: .rcptTo,
            rejectedRecipients: names,
            isTransient: allTransient
        )
    }

    /// RFC 6531: a non-ASCII mailbox can only travel to a server that announces SMTPUTF8.
    static func smtpUTF8Unsupported(_ config: SMTPClientConfiguration, addresses: [String]) -> SMTPError {
        SMTPError(
            code: .envelope,
            message: "\(addresses.joined(separator: ", ")) \(addresses.count == 1 ? "needs" : "need") SMTPUTF8 (non-ASCII characters in the address), which \(config.host) does not offer; nothing was sent",
            hint: "use an ASCII address (a non-ASCII domain can be written in its xn-- form), or an SMTP server that supports SMTPUTF8 (RFC 6531)",
            phase: .mailFrom,
            rejectedRecipients: addresses
        )
    }

    static func messageTooLarge(size: Int, limit: Int) -> SMTPError {
        SMTPError(
            code: .message,
            message: "the message is \(size) bytes; the server accepts at most \(limit) (SIZE); nothing was sent",
            hint: "make the message smaller (attachments, images) or use a server with a larger limit",
            phase: .mailFrom
        )
    }

    static func noRecipients() -> SMTPError {
        SMTPError(code: .envelope, message: "the message has no recipients", hint: "give at least one recipient", phase: .rcptTo)
    }

    static func messageRejected(reply: SMTPReply, command: String, phase: SMTPPhase) -> SMTPError {
        SMTPError(
            code: .message,
            message: "the server refused the message",
            hint: reply.isTransient
                ? "the server deferred the message: send again later"
                : "read the server's reply: size limit, content filter or the sender domain's SPF/DKIM/DMARC policy",
            reply: reply,
            command: command,
            phase: phase
        )
    }

    static func protocolViolation(_ config: SMTPClientConfiguration, detail: String, reply: SMTPReply? = nil, command: String? = nil, phase: SMTPPhase? = nil) -> SMTPError {
        SMTPError(
            code: .protocolError,
            message: detail,
            hint: "check that SMTP_HOST:SMTP_PORT (\(config.host):\(config.port)) is an SMTP server and SMTP_TLS matches it (465: true, 587/25: false)",
            reply: reply,
            command: command,
            phase: phase
        )
    }

    /// The server ended the session: a 421 reply, EOF, or a TCP reset.
    ///
    /// ECONNECTION when nothing of the current message had been accepted (the message can go out on a
    /// new connection without risk), ECONNRESET when the transaction was under way.
    static func connectionLost(
        _ config: SMTPClientConfiguration,
        during phase: SMTPPhase,
        command: String? = nil,
        reply: SMTPReply? = nil,
        transactionUnderWay: Bool = false,
        reset: Bool = false
    ) -> SMTPError {
        let step = phase == .idle ? "the idle time between messages"
            : command.map { phase == .endOfMessage ? "the end of the message" : $0 } ?? "the \(phase)"
        let what = reset ? "reset the connection" : "closed the connection"
        let code: SMTPErrorCode = transactionUnderWay && reply == nil ? .connectionReset : .connection
        return SMTPError(
            code: code,
            message: reply == nil
                ? "\(config.host):\(config.port) \(what) during \(step)" + (transactionUnderWay ? ", in the middle of the mail transaction" : "")
                : "\(config.host):\(config.port) is closing the session (during \(step))",
            hint: phase == .endOfMessage
                ? afterDataHint
                : transactionUnderWay
                ? "the server dropped the session in the middle of the transaction (connection limits, a filter, or a restart); the message was not delivered and can be sent again"
                : "the server dropped the session (connection limits, rate limits or a filter); the message was not accepted and can be sent again",
            reply: reply,
            command: command,
            phase: phase,
            isTransient: true
        )
    }

    /// The pool stopped (shutdown) or the sender gave up waiting (task cancelled) before the
    /// message reached any server.
    static func notStarted(_ config: SMTPClientConfiguration, because reason: String) -> SMTPError {
        var error = SMTPError(
            code: .connection,
            message: "not sent to \(config.host):\(config.port): \(reason)",
            hint: "nothing reached the server; the message can be sent again",
            phase: .idle,
            isTransient: true
        )
        error.isSafeToRetryOnNewConnection = true
        return error
    }

    static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        return lowered == "localhost" || lowered.hasPrefix("127.") || lowered == "::1" || lowered == "[::1]"
    }
}
