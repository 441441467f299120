import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps what NIO and NIOSSL throw onto the stable codes, with the hint that fits the configuration.
struct SMTPErrorClassifier {
    let configuration: SMTPClientConfiguration

    /// Errors from establishing the TCP connection.
    func classifyConnect(_ error: Error) -> SMTPError {
        if let error = error as? SMTPError { return error }
        if let connection = error as? NIOConnectionError {
            if let dnsError = connection.dnsAError ?? connection.dnsAAAAError {
                return .dns(configuration, detail: "\(dnsError)")
            }
            if connection.connectionErrors.isEmpty {
                return .dns(configuration, detail: "the name has no addresses")
            }
            let errors = connection.connectionErrors.map(\.error)
            if errors.contains(where: Self.isRefused) { return .connectionRefused(configuration) }
            if errors.contains(where: Self.isConnectTimeout) {
                return .connectTimedOut(configuration)
            }
            if let unreachable = errors.first(where: Self.isUnreachable) {
                return .hostUnreachable(configuration, detail: "\(unreachable)")
            }
            return SMTPError(
                code: .connection,
                message: "cannot connect to \(configuration.host):\(configuration.port): \(errors.map { "\($0)" }.joined(separator: "; "))",
                hint: "check SMTP_HOST and SMTP_PORT and that the network allows the connection",
                phase: .connect
            )
        }
        if Self.isConnectTimeout(error) { return .connectTimedOut(configuration) }
        if error is SocketAddressError {
            return .dns(configuration, detail: "\(error)")
        }
        if Self.isRefused(error) { return .connectionRefused(configuration) }
        if Self.isUnreachable(error) { return .hostUnreachable(configuration, detail: "\(error)") }
        return SMTPError(
            code: .connection,
            message: "cannot connect to \(configuration.host):\(configuration.port): \(error)",
            hint: "check SMTP_HOST and SMTP_PORT and that the network allows the connection",
            phase: .connect
        )
    }

    /// Errors raised inside an established session.
    func classify(_ error: Error, during conversation: SMTPConversation) -> SMTPError {
        if let error = error as? SMTPError { return error }
        if let decoderError = error as? SMTPReplyDecoderError {
            return .protocolViolation(configuration, detail: decoderError.description, command: conversation.pendingCommand, phase: conversation.phase)
        }
        if isTLSError(error) {
            let detail = Self.describeTLS(error)
            let reason = Self.tlsReason(error)
            if Self.isCertificateProblem(error) {
                return .certificate(configuration, detail: detail, problem: Self.isHostnameMismatch(error) ? .wrongName : .untrusted)
            }
            if conversation.wait == .tlsHandshake {
                return configuration.security == .implicitTLS
                    ? .implicitTLSFailed(configuration, detail: detail, reason: reason)
                    : .startTLSFailed(configuration, detail: detail, reason: reason)
            }
            return .connectionLost(configuration, during: conversation.phase, command: conversation.pendingCommand,
                                   transactionUnderWay: conversation.transactionUnderWay)
        }
        if let ioError = error as? IOError, [ECONNRESET, EPIPE].contains(ioError.errnoCode) {
            return .connectionLost(configuration, during: conversation.phase, command: conversation.pendingCommand,
                                   transactionUnderWay: conversation.transactionUnderWay, reset: ioError.errnoCode == ECONNRESET)
        }
        // Once the server has accepted part of the transaction, "can be sent again" would invite a
        // duplicate: say what connectionLost says for that case (ECONNRESET, "may have it" after DATA).
        if conversation.transactionUnderWay {
            return .connectionLost(configuration, during: conversation.phase, command: conversation.pendingCommand,
                                   transactionUnderWay: true)
        }
        return SMTPError(
            code: .connection,
            message: "the session with \(configuration.host):\(configuration.port) failed during \(conversation.phase): \(error)",
            hint: "the connection broke; the message was not accepted and can be sent again",
            command: conversation.pendingCommand,
            phase: conversation.phase
        )
    }

    private func isTLSError(_ error: Error) -> Bool {
        error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError
    }

    private static func isRefused(_ error: Error) -> Bool {
        if let ioError = error as? IOError { return ioError.errnoCode == ECONNREFUSED }
        return false
    }

    private static func isUnreachable(_ error: Error) -> Bool {
        if let ioError = error as? IOError { return [EHOSTUNREACH, ENETUNREACH].contains(ioError.errnoCode) }
        return false
    }

    private static func isConnectTimeout(_ error: Error) -> Bool {
        if case ChannelError.connectTimeout = error { return true }
        return false
    }

    private static func isHostnameMismatch(_ error: Error) -> Bool {
        guard let extra = error as? NIOSSLExtraError else { return false }
        return extra == .failedToValidateHostname || extra == .serverHostnameImpossibleToMatch
    }

    private static func isCertificateProblem(_ error: Error) -> Bool {
        if error is NIOSSLExtraError { return isHostnameMismatch(error) }
        let text = "\(error)".uppercased()
        return text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("CERTIFICATE VERIFY FAILED")
    }

    /// BoringSSL's reason code in words, e.g. "wrong version number" for
    /// "error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER".
    static func tlsReason(_ error: Error) -> String? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname || extra == .serverHostnameImpossibleToMatch {
            return "host name mismatch"
        }
        let text = "\(error)"
        guard let marker = text.range(of: "OPENSSL_internal:") else {
            if case NIOSSLError.uncleanShutdown = error { return "unclean shutdown" }
            return nil
        }
        let reason = text[marker.upperBound...].prefix { $0.isUppercase || $0.isNumber || $0 == "_" }
        guard !reason.isEmpty else { return nil }
        return String(reason.lowercased().map { $0 == "_" ? " " : $0 })
    }

    /// BoringSSL's error stacks are long; people need the reason, e.g. "WRONG_VERSION_NUMBER".
    private static func describeTLS(_ error: Error) -> String {
        let text = "\(error)"
        for reason in ["WRONG_VERSION_NUMBER", "CERTIFICATE_VERIFY_FAILED", "NO_SHARED_CIPHER", "UNSUPPORTED_PROTOCOL",
                       "TLSV1_ALERT_PROTOCOL_VERSION", "SSLV3_ALERT_HANDSHAKE_FAILURE", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG"]
        where text.contains(reason) {
            switch reason {
            case "WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG":
                return "the server did not answer with TLS (\(String(reason.lowercased().map { $0 == "_" ? " " : $0 })))"
            case "CERTIFICATE_VERIFY_FAILED":
                // NIOSSL checks the name after the chain (NIOSSLExtraError), and so does the session
                // handler for DNS names: this failure is about who issued the certificate or its dates.
                return "certificate verification failed (not issued by a trusted CA, or expired or not yet valid)"
            default:
                return reason
            }
        }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname || extra == .serverHostnameImpossibleToMatch {
            return "the certificate is not issued for this host name"
        }
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
