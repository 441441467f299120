import NIOCore

/// Writes `SMTPCommand`s as CRLF-terminated lines; message content is dot-stuffed and terminated.
public struct SMTPCommandEncoder: MessageToByteEncoder {
    public typealias OutboundIn = SMTPCommand

    public init() {}

    public func encode(data command: SMTPCommand, out: inout ByteBuffer) {
        switch command {
        case .ehlo(let name): out.writeLine("EHLO \(name)")
        case .helo(let name): out.writeLine("HELO \(name)")
        case .startTLS: out.writeLine("STARTTLS")
        case .authPlain(let initial): out.writeLine("AUTH PLAIN \(initial)")
        case .authLogin: out.writeLine("AUTH LOGIN")
        case .authCRAMMD5: out.writeLine("AUTH CRAM-MD5")
        case .authXOAUTH2(let initial): out.writeLine("AUTH XOAUTH2 \(initial)")
        case .authResponse(let line): out.writeLine(line)
        case .mailFrom(let address, let parameters):
            out.writeLine((["MAIL FROM:<\(address)>"] + parameters).joined(separator: " "))
        case .rcptTo(let address): out.writeLine("RCPT TO:<\(address)>")
        case .data: out.writeLine("DATA")
        case .messageContent(let bytes): DotStuffing.write(bytes, into: &out)
        case .reset: out.writeLine("RSET")
        case .quit: out.writeLine("QUIT")
        }
    }
}

extension ByteBuffer {
    mutating func writeLine(_ line: String) {
        writeString(line)
        writeStaticString("\r\n")
    }
}
