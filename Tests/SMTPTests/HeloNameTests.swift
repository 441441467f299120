import NIOCore
import Testing
@testable import SMTP

@Suite struct HeloNameTests {
    @Test func configuredNameWins() throws {
        #expect(HeloName(configured: "mail.example.com").resolve(localAddress: try SocketAddress(ipAddress: "10.0.0.5", port: 1)) == "mail.example.com")
    }

    @Test func withoutAnFQDNTheAddressLiteralIsUsedNeverABareHostName() throws {
        let helo = HeloName(configured: nil)
        let name = helo.resolve(localAddress: try SocketAddress(ipAddress: "172.18.0.3", port: 40000))
        // Either this machine has a real FQDN, or we fall back to RFC 5321's address literal.
        #expect(name == "[172.18.0.3]" || (name.contains(".") && !name.hasPrefix("[")))
        if helo.fixed == nil {
            #expect(helo.resolve(localAddress: try SocketAddress(ipAddress: "fd00::1", port: 1)) == "[IPv6:fd00::1]")
        }
    }
}
