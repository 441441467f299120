/// The PLAIN mechanism's single message (RFC 4616).
enum SASLPlain {
    /// authzid NUL authcid NUL passwd, with an empty authzid (act as the user we log in as), in base64.
    static func initialResponse(username: String, password: String) -> String {
        Base64.encode([0] + Array(username.utf8) + [0] + Array(password.utf8))
    }
}
