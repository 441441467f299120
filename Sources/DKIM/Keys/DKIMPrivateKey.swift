import Crypto
import CryptoExtras
import Foundation

/// A DKIM signing key read from PEM: RSA (PKCS#1 or PKCS#8, at least 1024 bits as RFC 8301
/// requires, 2048 recommended) or Ed25519 (PKCS#8, as `openssl genpkey -algorithm ed25519` writes it).
public enum DKIMPrivateKey: Sendable {
    case rsa(_RSA.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)

    /// The `a=` tag of signatures made with this key.
    public var algorithm: String {
        switch self {
        case .rsa: "rsa-sha256"
        case .ed25519: "ed25519-sha256"
        }
    }

    /// The `k=` and `p=` of the DNS TXT record that publishes the public key.
    public var dnsRecord: String {
        switch self {
        case .rsa(let key): "v=DKIM1; k=rsa; p=\(key.publicKey.derRepresentation.base64EncodedString())"
        case .ed25519(let key): "v=DKIM1; k=ed25519; p=\(key.publicKey.rawRepresentation.base64EncodedString())"
        }
    }

    /// PKCS#8 PrivateKeyInfo of an Ed25519 key is these 16 bytes, then the 32-byte seed (RFC 8410).
    private static let ed25519PKCS8Prefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]

    public init(pem: String) throws(DKIMKeyError) {
        let trimmed = pem.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("-----BEGIN ") else {
            throw .notPEM
        }
        if trimmed.contains("ENCRYPTED") {
            throw .encrypted
        }
        if let key = try? _RSA.Signing.PrivateKey(unsafePEMRepresentation: trimmed) {
            guard key.keySizeInBits >= 1024 else { throw .rsaTooShort(bits: key.keySizeInBits) }
            self = .rsa(key)
            return
        }
        if let der = Self.derBytes(trimmed), der.count == 48, Array(der.prefix(16)) == Self.ed25519PKCS8Prefix,
           let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32)) {
            self = .ed25519(key)
            return
        }
        throw .unsupported
    }

    private static func derBytes(_ pem: String) -> [UInt8]? {
        let body = pem.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        return Data(base64Encoded: body).map(Array.init)
    }

    func sign(_ data: [UInt8]) throws -> [UInt8] {
        switch self {
        case .rsa(let key):
            return Array(try key.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5).rawRepresentation)
        case .ed25519(let key):
            // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the canonicalised headers, not the headers.
            return Array(try key.signature(for: Array(SHA256.hash(data: data))))
        }
    }
}

/// Why a DKIM key could not be used; the message names the fix and never contains the key.
public enum DKIMKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case notPEM
    case encrypted
    case rsaTooShort(bits: Int)
    case unsupported

    public var description: String {
        switch self {
        case .notPEM:
            "is not a PEM key: expected text starting with -----BEGIN PRIVATE KEY----- (or RSA PRIVATE KEY); with a file, use DKIM_PRIVATE_KEY_FILE"
        case .encrypted:
            "is encrypted with a passphrase; export it without one (openssl pkey -in key.pem -out plain.pem)"
        case .rsaTooShort(let bits):
            "is a \(bits)-bit RSA key; DKIM verifiers ignore keys under 1024 bits (RFC 8301): use 2048 (openssl genrsa 2048)"
        case .unsupported:
            "is neither an RSA nor an Ed25519 private key; create one with openssl genrsa 2048 or openssl genpkey -algorithm ed25519"
        }
    }
}
