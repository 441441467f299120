import NIOCore

/// Splits the inbound byte stream into lines, each ending in LF (normally CRLF),
/// with its line ending kept, so DATA content can be captured byte for byte.
///
/// Several lines in one TCP read (pipelining) become several `channelRead`s, in order:
/// each line is handled completely by the session before the next one is decoded.
///
/// When the session accepts STARTTLS while handling a line, it calls
/// ``discardRestOfBuffer()``: whatever plaintext the client pipelined behind the
/// command (forbidden by RFC 3207 §5, and a command-injection vector) is then dropped,
/// complete lines and any partial line alike, instead of being read as commands of the
/// encrypted session. Later bytes pass through the TLS handler the session put in front.
final class LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// A longer line (without LF) is a protocol error that closes the connection.
    static let maximumLineLength = 1 << 20

    struct LineTooLong: Error {}

    private var discardRequested = false

    /// Drops the bytes still buffered once the line being handled returns.
    func discardRestOfBuffer() {
        self.discardRequested = true
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLineLength {
                throw LineTooLong()
            }
            return .needMoreData
        }
        let line = buffer.readSlice(length: newline - buffer.readerIndex + 1)!
        context.fireChannelRead(Self.wrapInboundOut(line))
        if self.discardRequested {
            self.discardRequested = false
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return .needMoreData
        }
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // Complete lines still go out; a partial line at the end of the stream is dropped.
        while try self.decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }
}
