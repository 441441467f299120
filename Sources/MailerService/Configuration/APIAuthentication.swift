/// How callers prove they may use the API: MAILER_API_AUTH and MAILER_API_TOKENS.
///
/// Secure by default: without tokens the service makes one up at start-up rather than serve
/// anyone who can reach the port; turning authentication off takes an explicit `none`.
public enum APIAuthentication: Sendable {
    /// `Authorization: Bearer <token>` with one of these (MAILER_API_TOKENS).
    case bearer(APITokenSet)
    /// Bearer, with a token generated at start-up and logged once, since none is configured.
    case generatedToken
    /// MAILER_API_AUTH=none: whoever reaches the port may send email.
    case none

    static func read(_ env: inout EnvironmentReader) -> APIAuthentication {
        var tokens: APITokenSet?
        let tokensGiven = env.isGiven("MAILER_API_TOKENS")
        if let text = env.string("MAILER_API_TOKENS") {
            let parsed = APITokenSet.parse(text)
            for problem in parsed.problems { env.problem("MAILER_API_TOKENS", problem) }
            tokens = parsed.tokens
        }
        let mode = env.string("MAILER_API_AUTH")?.lowercased() ?? "bearer"
        switch mode {
        case "bearer":
            return tokens.map(APIAuthentication.bearer) ?? .generatedToken
        case "none":
            if tokensGiven {
                // Someone set tokens believing the API is protected; which of the two is meant is theirs to say.
                env.problem("MAILER_API_AUTH", "is none, which turns authentication off, but MAILER_API_TOKENS is set: remove one of them")
            }
            return .none
        default:
            env.problem("MAILER_API_AUTH", "must be bearer (the default: callers send 'Authorization: Bearer <token>' with a token from MAILER_API_TOKENS) or none (no authentication), got \"\(mode)\"")
            return tokens.map(APIAuthentication.bearer) ?? .generatedToken
        }
    }

    /// For the start-up configuration line: the names, never a token.
    var summary: String {
        switch self {
        case .bearer(let tokens): "bearer, tokens: \(tokens.names.joined(separator: ", "))"
        case .generatedToken: "bearer, a token generated at start-up (no MAILER_API_TOKENS)"
        case .none: "none (MAILER_API_AUTH=none: the API is open to whoever reaches the port)"
        }
    }
}
