import Foundation
import NIOCore
import NIOPosix
import SMTPTestServer
import Testing

/// The test servers' port picker: below the ephemeral range, so that no outgoing connection of a
/// test running in parallel can take the port before the server binds it.
@Suite struct ListeningPortTests {
    @Test func portsComeFromBelowTheKernelsEphemeralRange() throws {
        let text = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let ephemeralStart = try #require(text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) })
        for _ in 0..<20 {
            let port = ListeningPort.pick()
            #expect(port >= 1_024 && port < ephemeralStart, "port \(port), ephemeral ports from \(ephemeralStart)")
        }
    }

    @Test func aPickedPortCanBeListenedOn() async throws {
        let port = ListeningPort.pick()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: port).get()
        #expect(channel.localAddress?.port == port)
        try await channel.close()
    }

    @Test func aPortInUseIsNotPicked() async throws {
        // Two candidates, one of them held: every pick must be the other.
        let held = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: ListeningPort.pick()).get()
        defer { held.close(promise: nil) }
        let heldPort = try #require(held.localAddress?.port)
        let neighbour = heldPort + 1
        for _ in 0..<20 {
            #expect(ListeningPort.pick(from: heldPort...neighbour) == neighbour)
        }
    }
}
