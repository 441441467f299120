import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Outbox

/// `mailer healthcheck`: one `GET` over HTTP/1.1 to the service itself, for a Docker HEALTHCHECK
/// in an image without curl. Plain NIO, as the service speaks only plain HTTP and the image
/// should not carry an HTTP client library for one request.
public struct HealthProbe: Sendable {
    /// What the service answered.
    public struct Answer: Sendable {
        public let status: Int
        public let reason: String
        public let body: String
    }

    public let url: URL
    public let host: String
    public let port: Int
    public let timeout: Duration

    /// The first bytes of the body are enough for a one-line message.
    static let bodyLimit = 64 * 1024

    /// - Parameter url: `http://host:port/path`; https is not spoken (the service has no TLS).
    public init(url text: String, timeout: Duration) throws(HealthProbeError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw HealthProbeError("--url must be an http URL such as http://127.0.0.1:8080/healthz, got \"\(text)\"")
        }
        guard scheme == "http" else {
            throw HealthProbeError("--url must use http (the service itself speaks no TLS), got \"\(text)\"")
        }
        self.url = url
        self.host = host
        self.port = url.port ?? 80
        self.timeout = timeout
    }

    /// `http://127.0.0.1:$MAILER_PORT/healthz`, or MAILER_HOST instead of 127.0.0.1 when the service
    /// listens on one address only.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) throws(HealthProbeError) -> String {
        // Read as the service reads them, so MAILER_PORT_FILE counts too.
        let portText = (try? MailerConfiguration.value(of: "MAILER_PORT", in: environment))?.trimmingCharacters(in: .whitespaces) ?? ""
        let port: Int
        if portText.isEmpty {
            port = 8080
        } else if let number = Int(portText), (1...65535).contains(number) {
            port = number
        } else {
            throw HealthProbeError("MAILER_PORT must be a port number from 1 to 65535, got \"\(portText)\"")
        }
        var host = (try? MailerConfiguration.value(of: "MAILER_HOST", in: environment))?.trimmingCharacters(in: .whitespaces) ?? ""
        // A wildcard bind is reached on loopback; an IPv6 literal needs its brackets in a URL.
        if ["", "0.0.0.0", "::", "[::]"].contains(host) { host = "127.0.0.1" }
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        return "http://\(host):\(port)/healthz"
    }

    /// One line for the person or the orchestrator reading it, and whether the service is healthy
    /// (200 within the timeout).
    public func check() async -> (healthy: Bool, line: String) {
        let started = ContinuousClock.now
        do {
            let answer = try await get()
            let elapsed = Int((ContinuousClock.now - started).wholeMilliseconds)
            guard answer.status == 200 else {
                let body = answer.body.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(300)
                return (false, "unhealthy: GET \(url.absoluteString) answered \(answer.status) \(answer.reason) in \(elapsed) ms\(body.isEmpty ? "" : ": \(body)")")
            }
            return (true, "healthy: GET \(url.absoluteString) answered 200 in \(elapsed) ms")
        } catch {
            return (false, "unhealthy: \(error.description)")
        }
    }

    /// The status and body of `GET url`, or why there was none within `timeout`.
    public func get() async throws(HealthProbeError) -> Answer {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(timeout))
                .connect(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw HealthProbeError(connecting: error, to: "\(host):\(port)", url: url, timeout: timeout)
        }
        // Closing the channel at the deadline ends the read below, whatever the server does.
        let timer = channel.channel.eventLoop.scheduleTask(deadline: deadline) { channel.channel.close(promise: nil) }
        defer { timer.cancel() }
        var head: HTTPResponseHead?
        var body = ByteBuffer()
        do {
            try await channel.executeThenClose { inbound, outbound in
                var request = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.path.isEmpty ? "/" : url.path + (url.query.map { "?\($0)" } ?? ""))
                request.headers.add(name: "Host", value: url.port == nil ? host : "\(host):\(port)")
                request.headers.add(name: "User-Agent", value: "mailer-healthcheck")
                request.headers.add(name: "Connection", value: "close")
                try await outbound.write(.head(request))
                try await outbound.write(.end(nil))
                for try await part in inbound {
                    switch part {
                    case .head(let received):
                        head = received
                    case .body(var chunk):
                        if body.readableBytes < Self.bodyLimit { body.writeBuffer(&chunk) }
                    case .end:
                        return
                    }
                }
            }
        } catch {
            if NIODeadline.now() >= deadline { throw HealthProbeError(timedOut: url, after: timeout) }
            if let head { return Answer(status: Int(head.status.code), reason: head.status.reasonPhrase, body: String(buffer: body)) }
            throw HealthProbeError("GET \(url.absoluteString) failed: \(error)")
        }
        guard let head else {
            if NIODeadline.now() >= deadline { throw HealthProbeError(timedOut: url, after: timeout) }
            throw HealthProbeError("GET \(url.absoluteString): the connection closed without an answer; is something other than the mailer listening on port \(port)?")
        }
        return Answer(status: Int(head.status.code), reason: head.status.reasonPhrase, body: String(buffer: body))
    }
}
