import NIOSSL

/// Builds the TLS context once per client: loading CA files and validating the cipher list is
/// slow and can fail, so it happens at start-up where a bad value stops the service with a clear line.
enum SMTPTLSContext {
    static func make(_ settings: SMTPClientConfiguration.TLSSettings, checksHostnameItself: Bool = false) throws(SMTPConfigurationError) -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        // A cipher list narrows the TLS 1.2 suites; it never lowers the protocol floor.
        tls.minimumTLSVersion = .tlsv12
        switch settings.cipherSpec.lowercased() {
        case "tlsv1.3": tls.minimumTLSVersion = .tlsv13
        case "tlsv1.2", "": break
        default: tls.cipherSuites = try CipherList.resolve(settings.cipherSpec)
        }
        if settings.skipVerify {
            tls.certificateVerification = .none
        } else {
            // For a DNS name the session handler checks the certificate's names itself
            // (see CertificateHostname); for an IP literal NIOSSL's address check is the right one.
            tls.certificateVerification = checksHostnameItself ? .noHostnameVerification : .fullVerification
            if let caFile = settings.caFile {
                do {
                    let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                    guard !certificates.isEmpty else {
                        throw SMTPConfigurationError(variable: "SMTP_CA_FILE", problem: "must be a PEM file of CA certificates; \(caFile) holds none")
                    }
                    tls.additionalTrustRoots = [.certificates(certificates)]
                } catch let error as SMTPConfigurationError {
                    throw error
                } catch {
                    throw SMTPConfigurationError(variable: "SMTP_CA_FILE", problem: "must be a PEM file of CA certificates; \(caFile) cannot be read as one (\(error))")
                }
            }
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw SMTPConfigurationError(
                variable: "SMTP_CIPHER_SPEC",
                problem: "must be TLSv1.2, TLSv1.3 or a valid OpenSSL cipher list; \"\(settings.cipherSpec)\" is not (\(error))"
            )
        }
    }
}

/// A configuration value the client cannot work with, named by its environment variable.
public struct SMTPConfigurationError: Error, Sendable, CustomStringConvertible {
    public let variable: String
    public let problem: String
    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }
    public var description: String { "\(variable): \(problem)" }
}
