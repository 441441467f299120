import Foundation
import NIOSSL
import X509

/// The server's leaf certificate as people check it: who it names, who issued it, until when.
///
/// Read even with SMTP_TLS_SKIP_VERIFY, where nobody else looks at it: that is when an operator
/// most needs to see what the server presents.
public struct SMTPServerCertificate: Sendable, Equatable {
    /// The subject, e.g. "CN=smtp.example.com,O=Example".
    public var subject: String
    public var issuer: String
    public var notValidBefore: Date
    public var notValidAfter: Date
    /// The subjectAltName DNS names (what host name checks use).
    public var dnsNames: [String]

    public init(subject: String, issuer: String, notValidBefore: Date, notValidAfter: Date, dnsNames: [String] = []) {
        self.subject = subject
        self.issuer = issuer
        self.notValidBefore = notValidBefore
        self.notValidAfter = notValidAfter
        self.dnsNames = dnsNames
    }

    /// Nil when the certificate cannot be parsed; NIOSSL accepted it, so that would be a bug
    /// in the parser, not a reason to fail the session.
    init?(_ certificate: NIOSSLCertificate) {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        self.init(
            subject: parsed.subject.description,
            issuer: parsed.issuer.description,
            notValidBefore: parsed.notValidBefore,
            notValidAfter: parsed.notValidAfter,
            dnsNames: CertificateHostname.dnsNames(of: certificate)
        )
    }
}
