import NIOCore

/// Turns the byte stream from the server into `SMTPReply` values (RFC 5321 §4.2).
///
/// Multi-line replies ("250-a", "250-b", "250 c") come out as one reply. Anything that is not
/// a reply line fails with `SMTPReplyDecoderError`, which the conversation reports as `EPROTOCOL`.
public struct SMTPReplyDecoder: ByteToMessageDecoder {
    public typealias InboundOut = SMTPReply

    /// RFC 5321 allows 512 octets per reply line; real servers go beyond that in banners, so we
    /// are generous but bounded, so a misbehaving peer cannot make us buffer without limit.
    static let maximumLineLength = 8192
    static let maximumLinesPerReply = 256

    private var pendingCode: Int?
    private var pendingLines: [String] = []
    /// Bytes at the start of the unread input already searched for a line end without finding
    /// one: a line that arrives a byte at a time is then scanned once, not once per byte.
    private var searchedWithoutLineEnd = 0
    private let unread: UnreadReplyBytes?

    /// - Parameter unread: told, as each reply goes up the pipeline, how many bytes arrived after it.
    public init(unread: UnreadReplyBytes? = nil) {
        self.unread = unread
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let reply = try self.nextReply(from: &buffer) else { return .needMoreData }
        unread?.count = buffer.readableBytes
        context.fireChannelRead(Self.wrapInboundOut(reply))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try self.decode(context: context, buffer: &buffer)
    }

    /// Consumes complete lines from `buffer` until a reply is complete; nil when more bytes are needed.
    public mutating func nextReply(from buffer: inout ByteBuffer) throws(SMTPReplyDecoderError) -> SMTPReply? {
        while true {
            let readable = buffer.readableBytesView
            let searchFrom = readable.startIndex + min(searchedWithoutLineEnd, readable.count)
            guard let lf = readable[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) else {
                searchedWithoutLineEnd = readable.count
                // A CR at the end may be the first half of the line's CRLF, which TCP can deliver
                // apart: it does not count, or a line of exactly the maximum would pass in one
                // read and fail when its LF comes in the next (found by Fuzz/fuzz-smtp-reply).
                let pending = readable.last == UInt8(ascii: "\r") ? readable.count - 1 : readable.count
                if pending > Self.maximumLineLength { throw .lineTooLong }
                return nil
            }
            searchedWithoutLineEnd = 0
            var lineEnd = lf
            if lineEnd > readable.startIndex, readable[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let lineBytes = readable[readable.startIndex..<lineEnd]
            if lineBytes.count > Self.maximumLineLength { throw .lineTooLong }
            let line = try Self.parse(lineBytes)
            buffer.moveReaderIndex(forwardBy: lf - readable.startIndex + 1)

            if let code = pendingCode, code != line.code { throw .inconsistentCodes(first: code, later: line.code) }
            pendingCode = line.code
            pendingLines.append(line.text)
            if pendingLines.count > Self.maximumLinesPerReply { throw .tooManyLines }
            if line.isLast {
                let reply = SMTPReply(code: line.code, lines: pendingLines)
                pendingCode = nil
                pendingLines = []
                return reply
            }
        }
    }

    private static func parse(_ bytes: ByteBufferView.SubSequence) throws(SMTPReplyDecoderError) -> (code: Int, isLast: Bool, text: String) {
        guard bytes.count >= 3 else { throw .malformedLine(String(decoding: bytes, as: UTF8.self)) }
        var code = 0
        var index = bytes.startIndex
        for _ in 0..<3 {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw .malformedLine(String(decoding: bytes, as: UTF8.self))
            }
            code = code * 10 + Int(byte - UInt8(ascii: "0"))
            index += 1
        }
        guard (200...599).contains(code) else { throw .malformedLine(String(decoding: bytes, as: UTF8.self)) }
        if index == bytes.endIndex { return (code, true, "") }
        let separator = bytes[index]
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw .malformedLine(String(decoding: bytes, as: UTF8.self))
        }
        let text = String(decoding: bytes[(index + 1)...], as: UTF8.self)
        return (code, separator == UInt8(ascii: " "), text)
    }
}

/// Bytes the server sent after the reply being handled, still in the decoder. Non-zero after the
/// 220 to STARTTLS means plaintext that would be read as if it came through TLS: the STARTTLS
/// response injection of CVE-2011-0411 and its client-side relatives (RFC 3207 §5).
/// Confined to the channel's event loop, like the decoder and the session handler that share it.
public final class UnreadReplyBytes {
    public internal(set) var count = 0
    public init() {}
}

public enum SMTPReplyDecoderError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedLine(String)
    case inconsistentCodes(first: Int, later: Int)
    case lineTooLong
    case tooManyLines

    public var description: String {
        switch self {
        case .malformedLine(let line): "the server sent a line that is not an SMTP reply: \"\(line.prefix(80))\""
        case .inconsistentCodes(let first, let later): "a multi-line reply changed its code from \(first) to \(later)"
        case .lineTooLong: "the server sent a reply line longer than \(SMTPReplyDecoder.maximumLineLength) bytes"
        case .tooManyLines: "the server sent a reply of more than \(SMTPReplyDecoder.maximumLinesPerReply) lines"
        }
    }
}
