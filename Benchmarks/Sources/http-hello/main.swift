// http-hello: the ceiling for Benchmarks/http-vs-hello.sh. A Hummingbird 2 server with the
// service's `POST /v1/emails/verification` route that reads the whole request body and answers
// 202 with a JSON body the size of the service's (`{"id":"<UUID>","status":"queued"}`), and
// does nothing else: no JSON decoding, no rendering, no outbox. Same method, path and body
// sizes as the service, so wrk measures Hummingbird + the kernel's loopback and nothing more.
//
// Usage: http-hello [--host 127.0.0.1] [--port 8080]   (log level: warning, as the benchmark
// runs the service with MAILER_LOG_LEVEL=warning)
import Foundation
import Hummingbird
import Logging

var host = "127.0.0.1"
var port = 8080
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--host": host = arguments.next() ?? host
    case "--port": port = arguments.next().flatMap { Int($0) } ?? port
    default:
        FileHandle.standardError.write(Data("usage: http-hello [--host H] [--port P]\n".utf8))
        exit(2)
    }
}

var logger = Logger(label: "http-hello")
logger.logLevel = .warning

let router = Router()
router.post("/v1/emails/verification") { request, _ -> Response in
    // Read the body, as the service must before it can validate anything.
    let body = try await request.body.collect(upTo: 1 << 20)
    guard body.readableBytes > 0 else { return Response(status: .badRequest) }
    let json = #"{"id":"\#(UUID().uuidString.lowercased())","status":"queued"}"#
    return Response(
        status: .accepted,
        headers: [.contentType: "application/json; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: json))
    )
}
router.get("/healthz") { _, _ in #"{"status":"ok"}"# }

let app = Application(
    router: router,
    configuration: .init(address: .hostname(host, port: port), serverName: nil),
    logger: logger
)
try await app.runService()
