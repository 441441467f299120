import NIOCore
import NIOEmbedded
import Testing
@testable import SMTP

/// Reading the cipher suite from a ServerHello, byte by byte as it may arrive.
@Suite struct TLSServerHelloObserverTests {
    /// A TLS record holding a ServerHello with `suite` and a session id of `sessionID` bytes.
    static func serverHello(suite: UInt16, sessionID: Int = 32) -> [UInt8] {
        var body: [UInt8] = [0x03, 0x03] + Array(repeating: 0xAB, count: 32) + [UInt8(sessionID)] + Array(repeating: 0x11, count: sessionID)
        body += [UInt8(suite >> 8), UInt8(suite & 0xFF), 0x00] + [0x00, 0x00]
        let handshake: [UInt8] = [0x02, 0x00, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        return [0x16, 0x03, 0x03, UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake
    }

    @Test func findsTheSuiteAndPassesEveryByteOn() throws {
        let observer = TLSServerHelloObserver()
        let channel = EmbeddedChannel(handler: observer)
        let record = Self.serverHello(suite: 0x1302) + Array("later".utf8)
        // In pieces, as TCP may deliver it.
        for chunk in stride(from: 0, to: record.count, by: 7) {
            try channel.writeInbound(ByteBuffer(bytes: record[chunk..<min(chunk + 7, record.count)]))
        }
        var passed: [UInt8] = []
        while var buffer = try channel.readInbound(as: ByteBuffer.self) { passed += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        #expect(passed == record)
        #expect(observer.cipherSuite == 0x1302)
        #expect(observer.cipherSuite.map(TLSCipherSuiteName.name) == "TLS_AES_256_GCM_SHA384")
        _ = try channel.finish()
    }

    @Test func parsesAnySessionIDLength() {
        #expect(TLSServerHelloObserver.parse(ByteBuffer(bytes: Self.serverHello(suite: 0xC02F, sessionID: 0))) == .found(0xC02F))
        #expect(TLSServerHelloObserver.parse(ByteBuffer(bytes: Self.serverHello(suite: 0xCCA8, sessionID: 32))) == .found(0xCCA8))
        #expect(TLSServerHelloObserver.parse(ByteBuffer(bytes: Array(Self.serverHello(suite: 0xCCA8).prefix(60)))) == .needMoreBytes)
    }

    @Test func plaintextOrAnAlertIsNotAServerHello() {
        #expect(TLSServerHelloObserver.parse(ByteBuffer(string: "220 smtp ESMTP\r\n")) == .notServerHello)
        #expect(TLSServerHelloObserver.parse(ByteBuffer(bytes: [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])) == .notServerHello)
        #expect(TLSServerHelloObserver.parse(ByteBuffer(bytes: [0x16, 0x03, 0x03, 0x00, 0x04, 0x0B])) == .notServerHello)
    }

    @Test func namesKnownSuitesAndShowsOthersInHex() {
        #expect(TLSCipherSuiteName.name(0x1301) == "TLS_AES_128_GCM_SHA256")
        #expect(TLSCipherSuiteName.name(0xC02F) == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        #expect(TLSCipherSuiteName.name(0x00FF) == "0x00FF")
    }
}
