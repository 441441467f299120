import NIOCore
import NIOEmbedded
import Testing
@testable import SMTP

@Suite struct SMTPCommandEncoderTests {
    private func encode(_ command: SMTPCommand) throws -> String {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(SMTPCommandEncoder()))
        try channel.writeOutbound(command)
        var text = ""
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) { text += buffer.readString(length: buffer.readableBytes) ?? "" }
        _ = try channel.finish()
        return text
    }

    @Test func commandsAreCRLFTerminatedLines() throws {
        #expect(try encode(.ehlo("client.example.com")) == "EHLO client.example.com\r\n")
        #expect(try encode(.mailFrom("a@x.test", parameters: ["SIZE=10"])) == "MAIL FROM:<a@x.test> SIZE=10\r\n")
        #expect(try encode(.mailFrom("", parameters: [])) == "MAIL FROM:<>\r\n")
        #expect(try encode(.rcptTo("b@y.test")) == "RCPT TO:<b@y.test>\r\n")
        #expect(try encode(.quit) == "QUIT\r\n")
        #expect(try encode(.authCRAMMD5) == "AUTH CRAM-MD5\r\n")
        #expect(try encode(.authXOAUTH2(initialResponse: "dXNlcj1h")) == "AUTH XOAUTH2 dXNlcj1h\r\n")
        #expect(try encode(.authResponse("")) == "\r\n")
    }

    @Test func credentialsNeverAppearInRedactedDescriptions() {
        #expect(!SMTPCommand.authPlain(initialResponse: "AGFsaWNlAHMzY3JldA==").redactedDescription.contains("AGFs"))
        #expect(SMTPCommand.authResponse("czNjcmV0").redactedDescription == "<redacted>")
        #expect(SMTPCommand.authXOAUTH2(initialResponse: "dXNlcj1h").redactedDescription == "AUTH XOAUTH2 <redacted>")
    }

    @Test func messageContentIsDotStuffedAndTerminated() throws {
        #expect(try encode(.messageContent(Array("Subject: x\r\n\r\n.hidden\r\nok\r\n".utf8)))
            == "Subject: x\r\n\r\n..hidden\r\nok\r\n.\r\n")
    }
}

@Suite struct SMTPCommandDescriptionTests {
    @Test func interpolationNeverShowsCredentials() {
        let secret = "dXNlcgB1c2VyAGh1bnRlcjI="
        for command in [SMTPCommand.authPlain(initialResponse: secret), .authXOAUTH2(initialResponse: secret), .authResponse(secret)] {
            #expect(!"\(command)".contains(secret))
            #expect(!String(reflecting: command).contains(secret))
            #expect(!"\([command])".contains(secret), "arrays print their elements' debug descriptions")
        }
        #expect("\(SMTPCommand.rcptTo("a@b.test"))".contains("a@b.test"))
    }
}

@Suite struct DotStuffingTests {
    private func stuff(_ text: String) -> String {
        String(decoding: DotStuffing.stuffed(Array(text.utf8)), as: UTF8.self)
    }

    @Test func leadingDotsAreDoubledOnEveryLine() {
        #expect(stuff(".\r\n..\r\na.b\r\n") == "..\r\n...\r\na.b\r\n.\r\n")
    }

    @Test func bareLineEndingsBecomeCRLFSoNothingCanEndTheDataEarly() {
        // "\n.\n" would end DATA on a lenient server (SMTP smuggling); normalised it is just a dot line.
        #expect(stuff("a\n.\nMAIL FROM:<evil@x>\rb") == "a\r\n..\r\nMAIL FROM:<evil@x>\r\nb\r\n.\r\n")
    }

    @Test func missingFinalLineEndingIsAdded() {
        #expect(stuff("no newline") == "no newline\r\n.\r\n")
        #expect(stuff("") == ".\r\n")
    }

    @Test func contentWithoutDotsOrLineEndsIsCopiedUnchanged() {
        let long = String(repeating: "abcdefgh", count: 1000)
        #expect(stuff(long + "\r\n") == long + "\r\n.\r\n")
    }
}
