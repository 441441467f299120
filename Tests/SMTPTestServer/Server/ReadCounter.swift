import NIOCore

/// Numbers the reads that reach the line decoder (after TLS, when on), so the session can tell
/// which commands arrived together: a pipelined group sent in one write arrives in one read.
final class ReadCounter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The number of the read being delivered now (1 for the first).
    private(set) var current = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.current += 1
        context.fireChannelRead(data)
    }
}
