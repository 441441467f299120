import Logging
import NIOCore
import NIOEmbedded
import NIOSSL
import Testing
@testable import SMTP

/// The session handler with the real codec on an EmbeddedChannel: the exact bytes the client
/// writes, and how they are grouped into flushes (one flush is one write to the socket).
@Suite struct SessionHandlerWireTests {
    /// Sits at the socket end and groups what is written by flush.
    final class FlushRecorder: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        var pending = ""
        var flushes: [String] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            var buffer = unwrapOutboundIn(data)
            pending += buffer.readString(length: buffer.readableBytes) ?? ""
            context.write(data, promise: promise)
        }

        func flush(context: ChannelHandlerContext) {
            if !pending.isEmpty { flushes.append(pending) }
            pending = ""
            context.flush()
        }
    }

    struct Session {
        let channel: EmbeddedChannel
        let recorder: FlushRecorder
        let established: EventLoopFuture<SMTPSessionInfo>

        /// Feeds server bytes; returns what the client flushed in answer, one string per flush.
        func server(_ text: String) throws -> [String] {
            let before = recorder.flushes.count
            try channel.writeInbound(ByteBuffer(string: text))
            while try channel.readOutbound(as: ByteBuffer.self) != nil {}
            return Array(recorder.flushes[before...])
        }

        func send(_ mail: SMTPMail) -> EventLoopFuture<SMTPDeliveryReceipt> {
            let promise = channel.eventLoop.makePromise(of: SMTPDeliveryReceipt.self)
            channel.pipeline.triggerUserOutboundEvent(SMTPSessionHandler.Request.send(mail, promise), promise: nil)
            return promise.futureResult
        }

        func flushes(since count: Int) throws -> [String] {
            while try channel.readOutbound(as: ByteBuffer.self) != nil {}
            return Array(recorder.flushes[count...])
        }
    }

    private func session(startTLS: Bool = false) throws -> Session {
        let channel = EmbeddedChannel()
        let recorder = FlushRecorder()
        var configuration = SMTPClientConfiguration(host: "smtp.x.test", port: 25, security: startTLS ? .startTLSWhenOffered : .plaintext)
        configuration.heloName = "client.x.test"
        let established = channel.eventLoop.makePromise(of: SMTPSessionInfo.self)
        let unread = UnreadReplyBytes()
        try channel.pipeline.syncOperations.addHandlers([
            recorder,
            ByteToMessageHandler(SMTPReplyDecoder(unread: unread)),
            MessageToByteHandler(SMTPCommandEncoder()),
            SMTPSessionHandler(
                configuration: configuration,
                tlsContext: startTLS ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil,
                heloName: { _ in "client.x.test" },
                logger: Logger(label: "test"), established: established, status: SMTPConnectionStatus(),
                unreadReplyBytes: unread
            ),
        ])
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.1", port: 25)).wait()
        return Session(channel: channel, recorder: recorder, established: established.futureResult)
    }

    private func greeted(_ extensions: [String]) throws -> Session {
        let s = try session()
        #expect(try s.server("220 smtp.x.test ESMTP\r\n") == ["EHLO client.x.test\r\n"])
        let lines = ["smtp.x.test"] + extensions
        let ehlo = lines.enumerated().map { ($0.offset == lines.count - 1 ? "250 " : "250-") + $0.element + "\r\n" }.joined()
        #expect(try s.server(ehlo).isEmpty)
        #expect(try s.established.wait().capabilities.pipelining == extensions.contains("PIPELINING"))
        return s
    }

    /// RFC 3207 §5: what the server sent together with its 220 to STARTTLS was sent in plaintext;
    /// kept in the decoder's buffer it would be read as the first reply "through TLS".
    @Test func bytesAfterTheReplyToSTARTTLSAbandonTheSessionBeforeTLS() throws {
        let s = try session(startTLS: true)
        #expect(try s.server("220 smtp.x.test ESMTP\r\n") == ["EHLO client.x.test\r\n"])
        #expect(try s.server("250-smtp.x.test\r\n250 STARTTLS\r\n") == ["STARTTLS\r\n"])
        _ = try s.server("220 2.0.0 go ahead\r\n250-injected")
        #expect(throws: SMTPError.self) { try s.established.wait() }
        do {
            _ = try s.established.wait()
        } catch let error as SMTPError {
            #expect(error.code == .tls)
            #expect(error.message.contains("after its 220 reply to STARTTLS"))
        }
        #expect(throws: (any Error).self) { try s.channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self) }
    }

    @Test func aCleanReplyToSTARTTLSStartsTheHandshake() throws {
        let s = try session(startTLS: true)
        _ = try s.server("220 smtp.x.test ESMTP\r\n")
        _ = try s.server("250-smtp.x.test\r\n250 STARTTLS\r\n")
        _ = try s.server("220 2.0.0 go ahead\r\n")
        #expect(throws: Never.self) { try s.channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self) }
    }

    @Test func pipeliningWritesMAILRCPTAndDATAInOneFlush() throws {
        let s = try greeted(["PIPELINING", "SIZE 1000"])
        let mail = SMTPMail(sender: "a@x.test", recipients: ["b@y.test", "c@y.test"], content: Array("hi\r\n".utf8))
        let count = s.recorder.flushes.count
        let receipt = s.send(mail)
        #expect(try s.flushes(since: count) == ["MAIL FROM:<a@x.test> SIZE=4\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n"])
        // The replies may come in one segment too; each answers the next command in order.
        #expect(try s.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n") == ["hi\r\n.\r\n"])
        #expect(try s.server("250 2.0.0 queued as 1\r\n").isEmpty)
        #expect(try receipt.wait().reply.code == 250)
        #expect(try receipt.wait().messageNumberOnConnection == 1)
    }

    @Test func withoutPipeliningEveryCommandIsItsOwnRoundTrip() throws {
        let s = try greeted([])
        let count = s.recorder.flushes.count
        _ = s.send(SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array("hi\r\n".utf8)))
        #expect(try s.flushes(since: count) == ["MAIL FROM:<a@x.test>\r\n"])
        #expect(try s.server("250 ok\r\n") == ["RCPT TO:<b@y.test>\r\n"])
        #expect(try s.server("250 ok\r\n") == ["DATA\r\n"])
    }

    @Test func theBodyNeverCarriesABareLineEndingNorAnEarlyEndOfData() throws {
        let s = try greeted(["PIPELINING"])
        // Bare LF and bare CR around dot lines are what SMTP smuggling uses to end DATA early on a
        // lenient server and start a second, forged message; "\r\n.\r\n" in the body must not end it either.
        let body = "Subject: x\r\n\r\nline\n.\nMAIL FROM:<evil@x>\r.\rtext\r\n.\r\nRCPT TO:<victim@y>\r\n..double\nend"
        let receipt = s.send(SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array(body.utf8)))
        let data = try s.server("250 ok\r\n250 ok\r\n354 go\r\n")
        #expect(data.count == 1)
        let wire = Array((data.first ?? "").utf8)
        #expect(String(decoding: wire, as: UTF8.self) ==
            "Subject: x\r\n\r\nline\r\n..\r\nMAIL FROM:<evil@x>\r\n..\r\ntext\r\n..\r\nRCPT TO:<victim@y>\r\n...double\r\nend\r\n.\r\n")
        // Every CR is followed by LF and every LF preceded by CR.
        for (index, byte) in wire.enumerated() {
            if byte == UInt8(ascii: "\r") { #expect(index + 1 < wire.count && wire[index + 1] == UInt8(ascii: "\n")) }
            if byte == UInt8(ascii: "\n") { #expect(index > 0 && wire[index - 1] == UInt8(ascii: "\r")) }
        }
        // The only end-of-data sequence is the final one.
        let terminator = Array("\r\n.\r\n".utf8)
        let ends = (0...(wire.count - terminator.count)).filter { Array(wire[$0..<$0 + terminator.count]) == terminator }
        #expect(ends == [wire.count - terminator.count])
        _ = try s.server("250 ok\r\n")
        #expect(try receipt.wait().reply.code == 250)
    }

    @Test func aSecondMessageWhileTheFirstIsUnderWayIsRefusedAndTheFirstGoesOn() throws {
        let s = try greeted([])
        let mail = SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array("hi\r\n".utf8))
        let first = s.send(mail)
        let count = s.recorder.flushes.count
        let second = s.send(mail)
        #expect { try second.wait() } throws: { ($0 as? SMTPError)?.code == .protocolError }
        #expect(try s.flushes(since: count).isEmpty, "nothing of the second message was written")
        #expect(try s.server("250 ok\r\n") == ["RCPT TO:<b@y.test>\r\n"])
        _ = try s.server("250 ok\r\n")
        _ = try s.server("354 go\r\n")
        _ = try s.server("250 queued\r\n")
        #expect(try first.wait().reply.code == 250)
    }

    @Test func theNextMessageOnTheSessionStartsWithMAILAfterASuccessAndRSETAfterAFailure() throws {
        let s = try greeted([])
        let mail = SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array("hi\r\n".utf8))
        let first = s.send(mail)
        _ = try s.server("250 ok\r\n")
        _ = try s.server("250 ok\r\n")
        _ = try s.server("354 go\r\n")
        _ = try s.server("250 queued\r\n")
        _ = try first.wait()

        var count = s.recorder.flushes.count
        let second = s.send(mail)
        #expect(try s.flushes(since: count) == ["MAIL FROM:<a@x.test>\r\n"])
        _ = try s.server("550 5.7.1 no\r\n")
        #expect(throws: SMTPError.self) { try second.wait() }

        count = s.recorder.flushes.count
        let third = s.send(mail)
        #expect(try s.flushes(since: count) == ["RSET\r\n"])
        #expect(try s.server("250 2.0.0 Ok\r\n") == ["MAIL FROM:<a@x.test>\r\n"])
        _ = try s.server("250 ok\r\n")
        _ = try s.server("250 ok\r\n")
        _ = try s.server("354 go\r\n")
        _ = try s.server("250 queued\r\n")
        #expect(try third.wait().messageNumberOnConnection == 3)

        count = s.recorder.flushes.count
        s.channel.pipeline.triggerUserOutboundEvent(SMTPSessionHandler.Request.quit, promise: nil)
        #expect(try s.flushes(since: count) == ["QUIT\r\n"])
        _ = try s.server("221 bye\r\n")
        #expect(!s.channel.isActive)
    }
}
