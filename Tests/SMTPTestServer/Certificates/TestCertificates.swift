import Crypto
import Foundation
import X509

/// A throw-away certificate authority and a server certificate signed by it,
/// generated in-process for TLS tests (STARTTLS and implicit TLS).
///
/// Clients under test trust ``caPEM`` (or the file written by ``writeCA(to:)``);
/// the server presents ``certificatePEM`` with ``privateKeyPEM``.
/// Keys are ECDSA P-256, signatures ECDSA with SHA-256.
public struct TestCertificates: Sendable {
    /// The CA certificate, PEM encoded. This is what a client trusts.
    public let caPEM: String
    /// The leaf (server) certificate, PEM encoded, signed by the CA.
    public let certificatePEM: String
    /// The leaf's private key, PEM encoded (PKCS #8, "BEGIN PRIVATE KEY").
    public let privateKeyPEM: String
    /// DNS names in the leaf's subjectAltName extension.
    public let hostnames: [String]
    /// IP addresses in the leaf's subjectAltName extension.
    public let ipAddresses: [String]

    /// Generates a new CA and a leaf certificate signed by it.
    ///
    /// Both are valid from one hour ago until one day from now. The leaf carries
    /// the given DNS names and IP addresses as subject alternative names, and is
    /// marked for TLS server authentication.
    ///
    /// - Throws: ``TestCertificatesError/invalidIPAddress(_:)`` for an address that
    ///   is neither IPv4 nor IPv6, or an error from certificate serialisation.
    public static func generate(
        hostnames: [String] = ["localhost"],
        ipAddresses: [String] = ["127.0.0.1", "::1"]
    ) throws -> TestCertificates {
        let now = Date()
        let notBefore = now.addingTimeInterval(-60 * 60)
        let notAfter = now.addingTimeInterval(24 * 60 * 60)

        let caKey = P256.Signing.PrivateKey()
        let caPrivateKey = Certificate.PrivateKey(caKey)
        let caName = try DistinguishedName {
            OrganizationName("SMTPTestServer")
            CommonName("SMTPTestServer throw-away CA")
        }
        let caKeyIdentifier = SubjectKeyIdentifier(hash: caPrivateKey.publicKey)
        let ca = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: caPrivateKey.publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                caKeyIdentifier
            },
            issuerPrivateKey: caPrivateKey
        )

        let leafKey = P256.Signing.PrivateKey()
        let leafPrivateKey = Certificate.PrivateKey(leafKey)
        let leafName = try DistinguishedName {
            OrganizationName("SMTPTestServer")
            CommonName(hostnames.first ?? ipAddresses.first ?? "localhost")
        }
        var alternativeNames: [GeneralName] = hostnames.map { .dnsName($0) }
        for address in ipAddresses {
            guard let bytes = IPAddressBytes.parse(address) else {
                throw TestCertificatesError.invalidIPAddress(address)
            }
            alternativeNames.append(.ipAddress(.init(contentBytes: bytes[...])))
        }
        let sans = SubjectAlternativeNames(alternativeNames)
        let leaf = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: leafPrivateKey.publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: caName,
            subject: leafName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectKeyIdentifier(hash: leafPrivateKey.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: caKeyIdentifier.keyIdentifier)
                sans
            },
            issuerPrivateKey: caPrivateKey
        )

        return TestCertificates(
            caPEM: try ca.serializeAsPEM().pemString + "\n",
            certificatePEM: try leaf.serializeAsPEM().pemString + "\n",
            privateKeyPEM: leafKey.pemRepresentation + "\n",
            hostnames: hostnames,
            ipAddresses: ipAddresses
        )
    }

    /// Writes the CA certificate to `directory/ca.pem` (creating the directory
    /// if needed) and returns the file's URL: clients usually take a CA *file*.
    @discardableResult
    public func writeCA(to directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("ca.pem")
        try Data(self.caPEM.utf8).write(to: file, options: .atomic)
        return file
    }
}

/// Errors from ``TestCertificates/generate(hostnames:ipAddresses:)``.
public enum TestCertificatesError: Error, Sendable, Equatable {
    /// The string is not a textual IPv4 or IPv6 address.
    case invalidIPAddress(String)
}
