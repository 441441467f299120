import Foundation
import Testing
@testable import MailerService
#if canImport(Glibc)
import Glibc
#endif

/// What a client can hold on the HTTP side: idle connections are closed, oversized headers refused.
@Suite struct ConnectionLimitsTests {
    /// A connected socket to 127.0.0.1:`port`, reads timing out after `timeout` seconds.
    private static func connect(_ port: Int, timeout: Int = 10) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
        return fd
    }

    /// Everything the server sends until it closes (or the read times out: then `closed` is false).
    /// Read on a thread of its own: a blocking read on the cooperative pool could starve the
    /// server under test, which answers on that same pool.
    private static func readUntilClosed(_ fd: Int32) async -> (text: String, closed: Bool) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: blockingRead(fd)) }
        }
    }

    private static func blockingRead(_ fd: Int32) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if count < 0 { return (String(decoding: received, as: UTF8.self), false) }
            received += buffer[0..<count]
        }
    }

    private static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    @Test func anIdleConnectionIsClosedAfterMailerHTTPIdleTimeout() async throws {
        try await withService(smtpPort: 1, ["MAILER_HTTP_IDLE_TIMEOUT": "0.5"]) { client in
            let port = try #require(client.port)
            let fd = try Self.connect(port)
            defer { close(fd) }
            // One request on a keep-alive connection, then nothing.
            Self.send(fd, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let started = ContinuousClock.now
            let (text, closed) = await Self.readUntilClosed(fd)
            #expect(text.hasPrefix("HTTP/1.1 200"), "\(text.prefix(80))")
            #expect(closed, "the server closes a connection left idle")
            #expect(ContinuousClock.now - started < .seconds(9))
        }
    }

    @Test func aHeaderFarLargerThanAnyClientSendsIsRefused() async throws {
        try await withService(smtpPort: 1) { client in
            let port = try #require(client.port)
            let fd = try Self.connect(port)
            defer { close(fd) }
            Self.send(fd, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: \(String(repeating: "a", count: 20_000))\r\n\r\n")
            let (text, _) = await Self.readUntilClosed(fd)
            #expect(!text.hasPrefix("HTTP/1.1 200"), "a 20 KB header field is beyond the 16 KB limit: \(text.prefix(80))")
            // The service itself goes on.
            let fresh = try Self.connect(port)
            defer { close(fresh) }
            Self.send(fresh, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            #expect(await Self.readUntilClosed(fresh).text.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func theIdleTimeoutIsReadFromTheEnvironment() throws {
        #expect(try configuration([:]).httpIdleTimeout == .seconds(75))
        #expect(try configuration(["MAILER_HTTP_IDLE_TIMEOUT": "30"]).httpIdleTimeout == .seconds(30))
        #expect(configurationProblems(["MAILER_HTTP_IDLE_TIMEOUT": "0"]).map(\.variable) == ["MAILER_HTTP_IDLE_TIMEOUT"])
    }

    private func configuration(_ extra: [String: String]) throws -> MailerConfiguration {
        try MailerConfiguration.fromEnvironment(environment(smtpPort: 2525, extra))
    }
}
