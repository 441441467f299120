import HTTPTypes
import Hummingbird
import Logging

/// `Authorization: Bearer <token>` on every route but `PublicPaths`; anything else is answered
/// 401 problem+json `EUNAUTHORIZED` before a route sees the request.
///
/// The name of the token used goes into the request's log metadata (`token_name`), so the logs
/// say which caller sent an email; the token itself goes nowhere.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: APITokenSet

    /// Why a request was refused; only the detail text tells them apart, the status and code are the same.
    enum Refusal: String {
        case missing = "no Authorization header"
        case notBearer = "Authorization is not 'Bearer <token>'"
        case unknownToken = "unknown token"

        var detail: String {
            switch self {
            case .missing:
                "this endpoint needs an API token: send the header 'Authorization: Bearer <token>' with a token from MAILER_API_TOKENS (without it, the service logs a generated token at start-up)"
            case .notBearer:
                "the Authorization header must be 'Bearer <token>' (one space, then the token); no other scheme is accepted"
            case .unknownToken:
                "the bearer token is not valid: use one of MAILER_API_TOKENS (a token the service generated changes at every restart: see its start-up log)"
            }
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if PublicPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        let refusal: Refusal
        if let header = request.headers[.authorization] {
            if let presented = Self.bearerToken(header) {
                if let name = tokens.name(matching: presented) {
                    var context = context
                    context.logger[metadataKey: "token_name"] = .string(name)
                    return try await next(request, context)
                }
                refusal = .unknownToken
            } else {
                refusal = .notBearer
            }
        } else {
            refusal = .missing
        }
        // Never the presented value: a wrong token is often a right one for another environment.
        context.logger.notice("request refused: no valid API token", metadata: [
            "code": "EUNAUTHORIZED", "reason": "\(refusal.rawValue)", "method": "\(request.method)", "path": "\(request.uri.path)",
        ])
        return Self.problem(refusal).response
    }

    static func problem(_ refusal: Refusal) -> Problem {
        Problem(status: .unauthorized, code: "EUNAUTHORIZED", title: "Unauthorized", detail: refusal.detail,
                headers: [.wwwAuthenticate: "Bearer realm=\"mailer\""])
    }

    /// The credentials of `Bearer <token>`; the scheme is case-insensitive (RFC 9110 11.1).
    /// Spaces before the scheme and between it and the token are skipped; a token holding
    /// whitespace is refused.
    ///
    /// An ASCII header (every header a valid token can be in) is read over its UTF-8 bytes; anything else
    /// goes through `bearerTokenByCharacters`, which gives the same answers for ASCII (a test
    /// compares them) but splits and lower-cases whole `Character`s.
    static func bearerToken(_ header: String) -> Substring? {
        var header = header  // withUTF8 is mutating; a native string is not copied
        // Where the token starts, nil when there is none, -1 when the header is not ASCII.
        let tokenStart: Int? = header.withUTF8 { bytes -> Int? in
            let space = UInt8(ascii: " ")
            var index = 0
            while index < bytes.count, bytes[index] == space { index += 1 }
            let schemeStart = index
            while index < bytes.count, bytes[index] != space {
                if bytes[index] >= 0x80 { return -1 }
                index += 1
            }
            let scheme = UnsafeBufferPointer(rebasing: bytes[schemeStart..<index])
            while index < bytes.count, bytes[index] == space { index += 1 }
            let start = index
            var valid = start < bytes.count
            // To the end, even past whitespace: a non-ASCII byte anywhere means the other path.
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= 0x80 { return -1 }
                // Character.isWhitespace, for ASCII: tab, line feed, vertical tab, form feed, carriage return, space.
                if byte == space || (0x09...0x0D).contains(byte) { valid = false }
                index += 1
            }
            guard valid, scheme.elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
            return start
        }
        guard let tokenStart else { return nil }
        guard tokenStart >= 0 else { return bearerTokenByCharacters(header) }
        return header[header.utf8.index(header.utf8.startIndex, offsetBy: tokenStart)...]
    }

    static func bearerTokenByCharacters(_ header: String) -> Substring? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].drop { $0 == " " }
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else { return nil }
        return token
    }
}
