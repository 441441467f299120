import Crypto

/// The CRAM-MD5 answer (RFC 2195): the user name and the hex HMAC-MD5 of the server's challenge,
/// keyed with the password. The password itself never crosses the wire, which is why we prefer it
/// on an unencrypted connection; MD5 is weak, so over TLS PLAIN is preferred.
enum CRAMMD5 {
    /// `challenge` is the base64 text of the server's 334 reply; nil when it is not base64.
    static func response(username: String, password: String, challenge: String) -> String? {
        guard let decoded = Base64.decode(challenge) else { return nil }
        let mac = HMAC<Insecure.MD5>.authenticationCode(for: decoded, using: SymmetricKey(data: Array(password.utf8)))
        let hex = mac.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
        return Base64.encode(Array("\(username) \(hex)".utf8))
    }
}
