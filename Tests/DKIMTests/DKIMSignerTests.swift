import Crypto
import CryptoExtras
import Foundation
import Testing
@testable import DKIM

@Suite struct DKIMSignerTests {
    static let message = Array((
        "From: Acme <no-reply@acme.test>\r\n" +
        "To: ada@example.org\r\n" +
        "Subject: Your code: 493817\r\n" +
        "Date: Tue, 01 Dec 2026 08:00:00 +0000\r\n" +
        "Message-ID: <abc@acme.test>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "\r\n" +
        "Your code is 493817.  \r\n\r\n\r\n"
    ).utf8)

    /// The canonical input a verifier hashes, rebuilt from the finished message the way RFC 6376
    /// §5.4 and §6.1.3 describe it (the signature's own field last, with its b= value removed).
    static func verifierInput(_ signed: [UInt8]) throws -> (input: [UInt8], tags: [String: String]) {
        let fields = HeaderFields(message: signed)
        let signatureField = try #require(fields.fields.first { $0.name == "dkim-signature" })
        let text = String(decoding: signatureField.raw, as: UTF8.self)
        let value = text[text.index(after: text.firstIndex(of: ":")!)...]
        var tags: [String: String] = [:]
        for tag in value.split(separator: ";") {
            let parts = tag.split(separator: "=", maxSplits: 1)
            let name = parts[0].filter { !$0.isWhitespace }
            tags[name] = parts.count > 1 ? parts[1].filter { !$0.isWhitespace } : ""
        }
        var input: [UInt8] = []
        var used: [String: Int] = [:]
        for name in tags["h"]!.split(separator: ":").map({ $0.lowercased() }) {
            let instances = fields.fields.filter { $0.name == name }
            let taken = used[name, default: 0]
            guard taken < instances.count else { continue }
            used[name] = taken + 1
            input += RelaxedCanonicalization.header(instances[instances.count - 1 - taken].raw)
        }
        let withoutB = text.replacingOccurrences(of: #"b=[^;]*$"#, with: "b=", options: .regularExpression)
        input += RelaxedCanonicalization.header(ArraySlice(withoutB.utf8)).dropLast(2)
        return (input, tags)
    }

    @Test func anRSASignatureVerifiesWithThePublicKeyAndCoversTheBody() throws {
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let signer = DKIMSigner(domain: "acme.test", selector: "mail", key: try DKIMPrivateKey(pem: rsa.pemRepresentation))
        let signed = try signer.sign(Self.message, at: Date(timeIntervalSince1970: 1_800_000_000))
        let (input, tags) = try Self.verifierInput(signed)
        #expect(tags["a"] == "rsa-sha256")
        #expect(tags["c"] == "relaxed/relaxed")
        #expect(tags["d"] == "acme.test")
        #expect(tags["s"] == "mail")
        #expect(tags["t"] == "1800000000")
        #expect(tags["h"] == "from:from:to:subject:date:message-id:mime-version:content-type")
        let body = RelaxedCanonicalization.body(HeaderFields(message: Self.message).body)
        #expect(tags["bh"] == Data(SHA256.hash(data: body)).base64EncodedString())
        let signature = _RSA.Signing.RSASignature(rawRepresentation: Data(base64Encoded: tags["b"]!)!)
        #expect(rsa.publicKey.isValidSignature(signature, for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5))

        // A changed subject no longer verifies.
        var tampered = signed
        let subject = Array("493817".utf8)
        let at = try #require(tampered.firstRange(of: subject))
        tampered.replaceSubrange(at, with: Array("000000".utf8))
        let (tamperedInput, _) = try Self.verifierInput(tampered)
        #expect(!rsa.publicKey.isValidSignature(signature, for: SHA256.hash(data: tamperedInput), padding: .insecurePKCS1v1_5))
    }

    @Test func anEd25519SignatureSignsTheHashOfTheHeaders() throws {
        let key = Curve25519.Signing.PrivateKey()
        let pem = "-----BEGIN PRIVATE KEY-----\n"
            + Data([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20] + key.rawRepresentation).base64EncodedString()
            + "\n-----END PRIVATE KEY-----\n"
        let signer = DKIMSigner(domain: "acme.test", selector: "ed", key: try DKIMPrivateKey(pem: pem))
        let signed = try signer.sign(Self.message)
        let (input, tags) = try Self.verifierInput(signed)
        #expect(tags["a"] == "ed25519-sha256")
        let signature = try #require(Data(base64Encoded: tags["b"]!))
        #expect(key.publicKey.isValidSignature(signature, for: Data(SHA256.hash(data: input))))
        #expect(signer.key.dnsRecord == "v=DKIM1; k=ed25519; p=\(key.publicKey.rawRepresentation.base64EncodedString())")
    }

    @Test func theSignatureFieldIsFoldedWithinLineLimits() throws {
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let signer = DKIMSigner(domain: "acme.test", selector: "mail", key: try DKIMPrivateKey(pem: rsa.pemRepresentation))
        let header = try signer.signatureHeader(for: Self.message)
        #expect(header.hasPrefix("DKIM-Signature: v=1; a=rsa-sha256;"))
        #expect(header.hasSuffix("\r\n"))
        let lines = header.dropLast(2).components(separatedBy: "\r\n")
        #expect(lines.count > 3)
        #expect(lines.allSatisfy { $0.count <= 78 }, "\(lines.map(\.count))")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("\t") })
    }

    @Test func keysThatCannotSignAreRefusedWithTheFix() throws {
        #expect(throws: DKIMKeyError.notPEM) { try DKIMPrivateKey(pem: "hunter2") }
        #expect(throws: DKIMKeyError.encrypted) { try DKIMPrivateKey(pem: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----") }
        #expect(throws: DKIMKeyError.unsupported) { try DKIMPrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----") }
        let p256 = P256.Signing.PrivateKey().pemRepresentation
        #expect(throws: DKIMKeyError.unsupported) { try DKIMPrivateKey(pem: p256) }
    }
}
