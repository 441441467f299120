import Foundation
import Hummingbird

/// `GET /openapi.json`: the API's OpenAPI description. Public (see `PublicPaths`), so code
/// generators and API tools can load it from a running service without a token.
struct OpenAPIRoutes: Sendable {
    /// Encoded once: the document cannot change while the service runs.
    static let body = OpenAPIDocument.json.encoded()

    func register(on router: Router<BasicRequestContext>) {
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(data: Self.body)))
        }
    }
}
