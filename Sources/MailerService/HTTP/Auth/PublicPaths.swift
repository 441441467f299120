/// The paths answered without credentials, whatever MAILER_API_AUTH says: orchestrators, load
/// balancers and Prometheus probe them without a token, and they tell nothing about emails.
/// The one list of them; a path is matched exactly, so anything else (`/healthz/x`, an encoded
/// variant) needs a token.
enum PublicPaths {
    static let all: Set<String> = ["/healthz", "/readyz", "/metrics"]

    static func contains(_ path: String) -> Bool { all.contains(path) }
}
