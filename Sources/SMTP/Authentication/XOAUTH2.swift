/// Google's and Microsoft's XOAUTH2 SASL mechanism for OAuth2 access tokens.
enum XOAUTH2 {
    /// base64("user=" user "\x01auth=Bearer " token "\x01\x01"), sent with AUTH XOAUTH2.
    static func initialResponse(username: String, token: String) -> String {
        Base64.encode(Array("user=\(username)\u{01}auth=Bearer \(token)\u{01}\u{01}".utf8))
    }

    /// A refused token comes back as a 334 challenge carrying base64 JSON such as
    /// {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}; the client answers
    /// with an empty line and the server then sends the final 5xx. The JSON is worth showing: its
    /// status and scope tell an expired token from a missing scope. Nil when it is not readable text.
    static func errorDetail(challenge: String) -> String? {
        guard let bytes = Base64.decode(challenge), !bytes.isEmpty,
              let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let printable = text.filter { !$0.isNewline }
        return printable.count > 200 ? String(printable.prefix(200)) + "…" : printable
    }
}
