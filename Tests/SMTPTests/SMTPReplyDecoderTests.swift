import NIOCore
import NIOEmbedded
import Testing
@testable import SMTP

@Suite struct SMTPReplyDecoderTests {
    private func decode(_ text: String) throws -> [SMTPReply] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        try channel.writeInbound(ByteBuffer(string: text))
        var replies: [SMTPReply] = []
        while let reply = try channel.readInbound(as: SMTPReply.self) { replies.append(reply) }
        _ = try? channel.finish()
        return replies
    }

    @Test func singleLineReply() throws {
        #expect(try decode("220 smtp.test ESMTP ready\r\n") == [SMTPReply(code: 220, lines: ["smtp.test ESMTP ready"])])
    }

    @Test func multiLineReplyBecomesOne() throws {
        let replies = try decode("250-smtp.test\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
        #expect(replies == [SMTPReply(code: 250, lines: ["smtp.test", "PIPELINING", "AUTH PLAIN LOGIN", "8BITMIME"])])
    }

    @Test func repliesSplitAcrossReadsAndPipelinedTogether() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        try channel.writeInbound(ByteBuffer(string: "250 2.1.0 Ok\r\n25"))
        try channel.writeInbound(ByteBuffer(string: "0 2.1.5 Ok\r\n354 go"))
        try channel.writeInbound(ByteBuffer(string: " ahead\r\n"))
        #expect(try channel.readInbound(as: SMTPReply.self)?.code == 250)
        #expect(try channel.readInbound(as: SMTPReply.self)?.enhancedStatusCode?.description == "2.1.5")
        #expect(try channel.readInbound(as: SMTPReply.self) == SMTPReply(code: 354, lines: ["go ahead"]))
        _ = try channel.finish()
    }

    /// A server that writes a byte at a time: the same replies as in one read (the decoder
    /// remembers how far it has searched, so each line is scanned once, not once per byte).
    @Test func repliesArrivingAByteAtATimeDecodeAsInOneRead() throws {
        let text = "220 smtp.test ESMTP\r\n250-smtp.test\r\n250-SIZE 1000\r\n250 8BITMIME\r\n354 \(String(repeating: "x", count: 3000))\r\n221 bye\n"
        var decoder = SMTPReplyDecoder()
        var buffer = ByteBuffer()
        var replies: [SMTPReply] = []
        for byte in text.utf8 {
            buffer.writeInteger(byte)
            while let reply = try decoder.nextReply(from: &buffer) { replies.append(reply) }
        }
        #expect(replies == (try decode(text)))
        #expect(replies.map(\.code) == [220, 250, 354, 221])
        #expect(buffer.readableBytes == 0)
    }

    @Test func bareLFAndCodeOnlyLinesAreAccepted() throws {
        #expect(try decode("250\n") == [SMTPReply(code: 250, lines: [""])])
    }

    @Test(arguments: ["HTTP/1.1 400 Bad Request\r\n", "2x0 nope\r\n", "250_what\r\n", "999 out of range\r\n"])
    func nonSMTPLinesAreProtocolErrors(_ text: String) {
        #expect(throws: SMTPReplyDecoderError.self) { try decode(text) }
    }

    @Test func changingCodeInsideAMultiLineReplyIsRejected() {
        #expect(throws: SMTPReplyDecoderError.inconsistentCodes(first: 250, later: 550)) {
            try decode("250-first\r\n550 second\r\n")
        }
    }

    @Test func endlessLineIsRejectedNotBuffered() {
        #expect(throws: SMTPReplyDecoderError.lineTooLong) {
            try decode("250 " + String(repeating: "x", count: SMTPReplyDecoder.maximumLineLength + 10))
        }
    }

    /// Fuzz/fuzz-smtp-reply: a line of exactly the maximum length was accepted in one read but
    /// refused as too long when its CR and LF arrived in different reads.
    @Test func lineOfMaximumLengthIsAcceptedWhenItsCRAndLFArriveApart() throws {
        let text = String(repeating: "x", count: SMTPReplyDecoder.maximumLineLength - 4)
        for split in [0, 1] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
            try channel.writeInbound(ByteBuffer(string: "250 " + text + (split == 0 ? "" : "\r")))
            try channel.writeInbound(ByteBuffer(string: split == 0 ? "\r" : "\n"))
            if split == 0 { try channel.writeInbound(ByteBuffer(string: "\n")) }
            #expect(try channel.readInbound(as: SMTPReply.self) == SMTPReply(code: 250, lines: [text]))
            _ = try channel.finish()
        }
        #expect(throws: SMTPReplyDecoderError.lineTooLong) {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
            try channel.writeInbound(ByteBuffer(string: "250 " + text + "x\r"))
            try channel.writeInbound(ByteBuffer(string: "\n"))
        }
    }

    @Test func enhancedStatusCodeIsOnlyTakenWhenWellFormed() {
        #expect(SMTPReply(code: 550, lines: ["5.1.1 no such user"]).enhancedStatusCode?.description == "5.1.1")
        #expect(SMTPReply(code: 550, lines: ["no such user"]).enhancedStatusCode == nil)
        #expect(SMTPReply(code: 550, lines: ["1.2.3 not a class"]).enhancedStatusCode == nil)
    }
}
