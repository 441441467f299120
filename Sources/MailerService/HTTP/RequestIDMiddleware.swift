import HTTPTypes
import Hummingbird

/// `X-Request-ID`: the caller's id for this request, or one made here, in every log line about the
/// request (`request_id`), in the stored email's delivery logs, and echoed in the response, so one
/// id follows an email from the caller's logs to the SMTP server's reply.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name("X-Request-ID")! }
    /// Longer or stranger ids are replaced, not trusted into logs and headers.
    static var maximumLength: Int { 128 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = request.headers[Self.headerName].flatMap(Self.acceptable) ?? Self.generate()
        var context = context
        context.logger[metadataKey: "request_id"] = "\(id)"
        var response = try await next(request, context)
        response.headers[Self.headerName] = id
        return response
    }

    /// Visible ASCII without quotes or backslashes: safe in a header, a JSON log and a logfmt line.
    static func acceptable(_ value: String) -> String? {
        guard !value.isEmpty, value.utf8.count <= maximumLength,
              value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return value
    }

    static func generate() -> String {
        var random = SystemRandomNumberGenerator()
        let high = random.next() as UInt64, low = random.next() as UInt64
        return String(high, radix: 16).leftPadded(to: 16) + String(low, radix: 16).leftPadded(to: 16)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
