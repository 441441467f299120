/// The AUTH mechanisms the client speaks (RFC 4954), and which one to use with a given server.
public enum SASLMechanism: String, Sendable, Equatable, CaseIterable {
    case plain = "PLAIN"
    case login = "LOGIN"
    case cramMD5 = "CRAM-MD5"
    case xoauth2 = "XOAUTH2"

    /// The mechanism for this connection, or nil when the server offers none we can use.
    ///
    /// With an OAuth2 token only XOAUTH2 will do: falling back to a password the operator did not
    /// configure would only produce a confusing EAUTH. Over TLS, PLAIN is preferred (one round
    /// trip, and the server may store passwords in any form), then LOGIN, then CRAM-MD5. On an
    /// unencrypted connection (allowed only with SMTP_ALLOW_INSECURE_AUTH) CRAM-MD5 comes first
    /// because it proves the password without sending it.
    static func choose(offered: [String], secure: Bool, oauth2: Bool) -> SASLMechanism? {
        let available = Set(offered.map { $0.uppercased() })
        if oauth2 { return available.contains(Self.xoauth2.rawValue) ? .xoauth2 : nil }
        let order: [SASLMechanism] = secure ? [.plain, .login, .cramMD5] : [.cramMD5, .plain, .login]
        return order.first { available.contains($0.rawValue) }
    }
}
