/// The paths answered without credentials, whatever MAILER_API_AUTH says: orchestrators, load
/// balancers and Prometheus probe them without a token, and they tell nothing about emails;
/// `/openapi.json` describes the API, holds no secret, and is what tools are pointed at.
/// The one list of them (the OpenAPI document marks the same operations `security: []`); a path
/// is matched exactly, so anything else (`/healthz/x`, an encoded variant) needs a token.
enum PublicPaths {
    static let all: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.json"]

    static func contains(_ path: String) -> Bool { all.contains(path) }
}
