import NIOCore

/// The DATA phase transparency rules of RFC 5321 §4.5.2, plus line-ending normalisation.
///
/// Every line ending becomes CRLF (bare LF and bare CR included), so no "\n.\n" or "\r.\r" can
/// end the message early on a lenient server: this is what closes the SMTP smuggling hole.
/// A line starting with "." gets a second ".", and the message ends with "\r\n.\r\n".
public enum DotStuffing {
    public static func write(_ message: [UInt8], into out: inout ByteBuffer) {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), dot = UInt8(ascii: ".")
        out.reserveCapacity(minimumWritableBytes: message.count + message.count / 64 + 5)
        var atLineStart = true
        var index = message.startIndex
        var runStart = index
        // Copy runs of ordinary bytes in one call; handle line ends and leading dots individually.
        while index < message.endIndex {
            let byte = message[index]
            if byte == cr || byte == lf {
                out.writeBytes(message[runStart..<index])
                out.writeStaticString("\r\n")
                if byte == cr, index + 1 < message.endIndex, message[index + 1] == lf { index += 1 }
                index += 1
                runStart = index
                atLineStart = true
                continue
            }
            if atLineStart, byte == dot {
                out.writeBytes(message[runStart..<index])
                out.writeInteger(dot)
                runStart = index
            }
            atLineStart = false
            index += 1
        }
        out.writeBytes(message[runStart..<index])
        if !atLineStart { out.writeStaticString("\r\n") }
        out.writeStaticString(".\r\n")
    }

    /// The length of the message once every line ending is CRLF (and the last line is ended), before
    /// dot-stuffing: what RFC 1870 asks to declare in SIZE= and to compare with the server's limit.
    public static func normalisedLength(of message: [UInt8]) -> Int {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var length = 0
        var index = message.startIndex
        var atLineStart = true
        while index < message.endIndex {
            let byte = message[index]
            if byte == cr || byte == lf {
                length += 2
                if byte == cr, index + 1 < message.endIndex, message[index + 1] == lf { index += 1 }
                atLineStart = true
            } else {
                length += 1
                atLineStart = false
            }
            index += 1
        }
        return atLineStart ? length : length + 2
    }

    public static func stuffed(_ message: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer()
        write(message, into: &buffer)
        return Array(buffer.readableBytesView)
    }
}
