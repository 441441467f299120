import NIOCore

/// The DATA phase transparency rules of RFC 5321 §4.5.2, plus line-ending normalisation.
///
/// Every line ending becomes CRLF (bare LF and bare CR included), so no "\n.\n" or "\r.\r" can
/// end the message early on a lenient server: this is what closes the SMTP smuggling hole.
/// A line starting with "." gets a second ".", and the message ends with "\r\n.\r\n".
public enum DotStuffing {
    public static func write(_ message: [UInt8], into out: inout ByteBuffer) {
        out.reserveCapacity(minimumWritableBytes: message.count + message.count / 64 + 5)
        var endsLine = true
        message.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            let count = bytes.count
            // Runs of bytes that go out unchanged (CRLF line ends included) are copied in one call;
            // only a bare CR or LF, or a leading dot, cuts a run. A message that is already CRLF
            // throughout and has no leading dot is a single copy.
            var runStart = 0
            var lineStart = 0
            while true {
                if lineStart < count, base[lineStart] == dot {
                    out.writeBytes(UnsafeRawBufferPointer(start: base + runStart, count: lineStart - runStart))
                    out.writeInteger(dot)
                    runStart = lineStart
                }
                let lineEnd = firstLineBreak(base, from: lineStart, count: count)
                if lineEnd == count {
                    endsLine = lineStart == count
                    break
                }
                if base[lineEnd] == cr, lineEnd + 1 < count, base[lineEnd + 1] == lf {
                    lineStart = lineEnd + 2
                } else {
                    // A bare CR or LF becomes CRLF.
                    out.writeBytes(UnsafeRawBufferPointer(start: base + runStart, count: lineEnd - runStart))
                    out.writeStaticString("\r\n")
                    lineStart = lineEnd + 1
                    runStart = lineStart
                }
            }
            out.writeBytes(UnsafeRawBufferPointer(start: base + runStart, count: count - runStart))
        }
        if !endsLine { out.writeStaticString("\r\n") }
        out.writeStaticString(".\r\n")
    }

    /// The length of the message once every line ending is CRLF (and the last line is ended), before
    /// dot-stuffing: what RFC 1870 asks to declare in SIZE= and to compare with the server's limit.
    public static func normalisedLength(of message: [UInt8]) -> Int {
        message.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
            let count = bytes.count
            var length = count
            var index = firstLineBreak(base, from: 0, count: count)
            while index < count {
                if base[index] == cr, index + 1 < count, base[index + 1] == lf {
                    index += 2
                } else {
                    length += 1  // a bare CR or LF becomes CRLF
                    index += 1
                }
                if index == count { return length }
                index = firstLineBreak(base, from: index, count: count)
            }
            return length + 2  // the last line is ended
        }
    }

    private static var cr: UInt8 { UInt8(ascii: "\r") }
    private static var lf: UInt8 { UInt8(ascii: "\n") }
    private static var dot: UInt8 { UInt8(ascii: ".") }

    /// The index of the first CR or LF at or after `start`, or `count`. Eight bytes at a time: a
    /// word without either byte (most words of a text) is passed over with a few instructions.
    @inline(__always)
    private static func firstLineBreak(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        var index = start
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while index + 8 <= count {
            // Little-endian, so that the first byte in memory is the lowest of the word.
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let x = word ^ (ones &* UInt64(cr)), y = word ^ (ones &* UInt64(lf))
            // The classic "has a zero byte" test, for both: exact for the lowest matching byte.
            let found = ((x &- ones) & ~x | (y &- ones) & ~y) & highs
            if found != 0 {
                return index + (found.trailingZeroBitCount >> 3)
            }
            index += 8
        }
        while index < count, base[index] != cr, base[index] != lf { index += 1 }
        return index
    }

    public static func stuffed(_ message: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer()
        write(message, into: &buffer)
        return Array(buffer.readableBytesView)
    }
}
