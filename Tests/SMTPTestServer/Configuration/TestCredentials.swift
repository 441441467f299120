/// The one account the test server accepts: the password for AUTH PLAIN, LOGIN and CRAM-MD5,
/// and the OAuth2 access token for AUTH XOAUTH2.
public struct TestCredentials: Sendable, Hashable {
    public var username: String
    public var password: String
    /// The bearer token XOAUTH2 accepts for `username`; XOAUTH2 refuses everything when nil.
    public var oauth2Token: String?

    public init(username: String, password: String, oauth2Token: String? = nil) {
        self.username = username
        self.password = password
        self.oauth2Token = oauth2Token
    }
}
