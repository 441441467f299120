/// The AUTH mechanisms the client speaks (RFC 4954), and which one to use with a given server.
public enum SASLMechanism: String, Sendable, Equatable, CaseIterable {
    case plain = "PLAIN"
    case login = "LOGIN"

    /// The mechanism for this connection, or nil when the server offers none we can use.
    /// PLAIN first: one round trip.
    static func choose(offered: [String], secure: Bool) -> SASLMechanism? {
        let available = Set(offered.map { $0.uppercased() })
        return [SASLMechanism.plain, .login].first { available.contains($0.rawValue) }
    }
}
