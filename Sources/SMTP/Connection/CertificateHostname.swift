import NIOSSL

/// RFC 6125 host name matching for the server certificate.
///
/// NIOSSL's own check also accepts a certificate whose IP address entry matches the peer's
/// socket address even when we asked for a DNS name, so a spoofed DNS answer plus any trusted
/// certificate for the attacker's IP would pass. When SMTP_HOST is a name, only the
/// certificate's DNS names count.
enum CertificateHostname {
    /// The DNS names of the certificate (subjectAltName), lower-cased.
    static func dnsNames(of certificate: NIOSSLCertificate) -> [String] {
        certificate._subjectAlternativeNames().compactMap { name in
            guard name.nameType == .dnsName else { return nil }
            return String(decoding: Array(name.contents), as: UTF8.self).lowercased()
        }
    }

    /// Exact match, or a wildcard as the whole left-most label ("*.example.com" matches
    /// "mail.example.com", not "example.com" nor "a.mail.example.com").
    static func matches(host: String, names: [String]) -> Bool {
        let host = (host.hasSuffix(".") ? String(host.dropLast()) : host).lowercased()
        return names.contains { pattern in
            let pattern = pattern.hasSuffix(".") ? String(pattern.dropLast()) : pattern
            if pattern == host { return true }
            guard pattern.hasPrefix("*."), let dot = host.firstIndex(of: ".") else { return false }
            let suffix = pattern.dropFirst(2)
            // A wildcard must stand for one label below a registered-looking domain ("*.com" never).
            return suffix.contains(".") && host[host.index(after: dot)...] == suffix && host[..<dot].isEmpty == false
        }
    }
}
