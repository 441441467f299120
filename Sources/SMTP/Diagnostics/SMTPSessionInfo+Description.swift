import Foundation

extension SMTPSessionInfo {
    /// The TLS facts people check, one per line: version and cipher suite, the certificate's
    /// subject and names, its issuer, and when it expires ("expires: 2026-03-01T00:00:00Z (in 90 days)").
    public func tlsDescription(skipVerify: Bool, now: Date = Date()) -> [String] {
        var lines = [[tlsVersion ?? "TLS", cipherSuite].compactMap { $0 }.joined(separator: " ")]
        if let certificate = serverCertificate {
            lines.append("certificate: \(certificate.subject)" + (certificate.dnsNames.isEmpty ? "" : " (DNS: \(certificate.dnsNames.joined(separator: ", ")))"))
            lines.append("issuer: \(certificate.issuer)")
            lines.append("expires: \(certificate.notValidAfter.ISO8601Format())" + Self.remaining(certificate.notValidAfter.timeIntervalSince(now)))
        }
        if skipVerify { lines.append("not verified: SMTP_TLS_SKIP_VERIFY=true") }
        return lines
    }

    /// An expired certificate is what an operator must not miss; the rest is a rough countdown.
    private static func remaining(_ seconds: TimeInterval) -> String {
        if seconds < 0 { return " (EXPIRED)" }
        let days = Int(seconds / 86_400)
        if days >= 1 { return " (in \(days) day\(days == 1 ? "" : "s"))" }
        let hours = Int(seconds / 3600)
        return hours >= 1 ? " (in \(hours) hour\(hours == 1 ? "" : "s"))" : " (in \(Int(seconds / 60)) minutes)"
    }
}
