/// The one username/password pair the test server accepts for AUTH PLAIN and AUTH LOGIN.
public struct TestCredentials: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}
