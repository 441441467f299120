import NIOCore

/// Reads the negotiated cipher suite from the server's ServerHello as it passes by.
///
/// NIOSSL reports the TLS version but not the cipher suite. The ServerHello is sent in the clear
/// in every TLS version (TLS 1.3 encrypts only what follows it) and names the suite, so this
/// handler sits on the socket side of the TLS handler, copies the first bytes until it has read
/// that field, and passes every byte on untouched.
final class TLSServerHelloObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The suite's code point once seen.
    private(set) var cipherSuite: UInt16?
    private var seen = ByteBuffer()
    private var done = false

    /// A ServerHello fits in one record; no need to look further than that.
    static let maximumBytes = 5 + (1 << 14)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !done {
            var bytes = unwrapInboundIn(data)
            seen.writeBuffer(&bytes)
            switch Self.parse(seen) {
            case .found(let suite):
                cipherSuite = suite
                finish()
            case .notServerHello:
                finish()
            case .needMoreBytes:
                if seen.readableBytes > Self.maximumBytes { finish() }
            }
        }
        context.fireChannelRead(data)
    }

    private func finish() {
        done = true
        seen = ByteBuffer()
    }

    enum Outcome: Equatable {
        case found(UInt16)
        case needMoreBytes
        case notServerHello
    }

    /// Looks for a ServerHello at the start of the server's byte stream (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3).
    static func parse(_ buffer: ByteBuffer) -> Outcome {
        let bytes = buffer.readableBytesView
        func byte(_ offset: Int) -> UInt8? {
            offset < bytes.count ? bytes[bytes.startIndex + offset] : nil
        }
        // Record header: type 22 (handshake), version, length.
        guard let contentType = byte(0) else { return .needMoreBytes }
        guard contentType == 22 else { return .notServerHello }
        // Handshake header at 5: type 2 (server_hello), 3-byte length; then legacy_version (2),
        // random (32), session id length (1) at 5+4+2+32 = 43, the session id, then the suite.
        guard let handshakeType = byte(5) else { return .needMoreBytes }
        guard handshakeType == 2 else { return .notServerHello }
        guard let sessionIDLength = byte(43) else { return .needMoreBytes }
        let suiteOffset = 44 + Int(sessionIDLength)
        guard let high = byte(suiteOffset), let low = byte(suiteOffset + 1) else { return .needMoreBytes }
        return .found(UInt16(high) << 8 | UInt16(low))
    }
}
