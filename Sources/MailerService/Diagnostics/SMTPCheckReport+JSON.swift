import Foundation
import SMTP

/// The JSON of `mailer check-smtp --json` and `POST /v1/smtp/check`: one document, the same in both.
extension SMTPCheckReport {
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "ok": .bool(ok),
            "server": .object(["host": .string(host), "port": .int(port)]),
            "security": .string(security.jsonName),
            "probe": .object(["from": .string(sender), "to": .string(recipient)]),
            "durationMs": .int(Self.milliseconds(duration)),
            "steps": .array(steps.map(\.json)),
            "extensions": .array(extensions.map { .string($0) }),
            "authMechanism": authenticationMechanism.map { .string($0) } ?? .null,
            "tls": tls.map(\.tlsJSON) ?? .null,
        ]
        if let failed = failedStep, let error = failed.error {
            members["failedStep"] = .string(failed.name.rawValue)
            members["code"] = .string(error.code.rawValue)
            members["hint"] = .string(error.hint)
        }
        return .object(members)
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int((Double(attoseconds) / 1e15).rounded())
    }
}

extension SMTPCheckStep {
    var json: JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name.rawValue),
            "status": .string(status.rawValue),
            "ok": .bool(ok),
            "durationMs": durationMilliseconds.map { .int($0) } ?? .null,
            "detail": .array(detail.map { .string($0) }),
        ]
        if let error {
            members.merge(error.jsonFields) { _, new in new }
        }
        return .object(members)
    }
}

extension SMTPSessionInfo {
    /// Version, cipher suite and certificate of an encrypted session.
    var tlsJSON: JSONValue {
        var members: [String: JSONValue] = [
            "version": tlsVersion.map { .string($0) } ?? .null,
            "cipher": cipherSuite.map { .string($0) } ?? .null,
        ]
        if let certificate = serverCertificate {
            members["certificate"] = .object([
                "subject": .string(certificate.subject),
                "issuer": .string(certificate.issuer),
                "notBefore": .string(certificate.notValidBefore.ISO8601Format()),
                "notAfter": .string(certificate.notValidAfter.ISO8601Format()),
                "dnsNames": .array(certificate.dnsNames.map { .string($0) }),
            ])
        }
        return .object(members)
    }
}

extension SMTPError {
    /// What a caller branches on, under the same keys as a failed delivery's problem+json.
    var jsonFields: [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "code": .string(code.rawValue),
            "message": .string(message),
            "hint": .string(hint),
            "transient": .bool(isTransient),
        ]
        if let reply {
            var smtp: [String: JSONValue] = ["code": .int(reply.code), "message": .string(reply.message)]
            if let enhanced = enhancedStatusCode { smtp["enhancedCode"] = .string("\(enhanced)") }
            if let command { smtp["command"] = .string(command) }
            fields["smtp"] = .object(smtp)
        }
        if let phase { fields["phase"] = .string("\(phase)") }
        if !rejectedRecipients.isEmpty { fields["rejectedRecipients"] = .array(rejectedRecipients.map { .string($0) }) }
        if let tlsReason { fields["tlsReason"] = .string(tlsReason) }
        return fields
    }
}

extension SMTPCheckReport {
    /// `json` as one line of text, keys sorted.
    public var jsonText: String { String(decoding: json.encoded(), as: UTF8.self) }
}
