/// The transfer encodings this module emits for text parts.
enum ContentTransferEncoding: String, Sendable {
    case sevenBit = "7bit"
    case quotedPrintable = "quoted-printable"
    /// For text that is mostly non-Latin (CJK, Arabic, emoji): quoted-printable would triple it.
    case base64 = "base64"

    /// 7bit is only chosen when the text would survive any SMTP hop untouched, which
    /// keeps plain templates readable in raw form; everything else gets QP.
    static let maxSevenBitLineLength = 78

    static func choose(for text: String) -> ContentTransferEncoding {
        var text = text
        return text.withUTF8(choose)
    }

    static func choose(for text: UnsafeBufferPointer<UInt8>) -> ContentTransferEncoding {
        var column = 0
        var last: UInt8 = 0   // the line's last byte so far; 0 for an empty line
        for b in text {
            // One comparison keeps printable ASCII, nearly every byte, on the short path.
            if b <= 0x20 || b >= 0x7F {
                if b == 0x0D || b == 0x0A {
                    // Trailing whitespace is stripped by some relays, which would alter the text.
                    if last == 0x20 || last == 0x09 { return .quotedPrintable }
                    column = 0
                    last = 0
                    continue
                }
                if b != 0x20 && b != 0x09 { return .quotedPrintable }
            }
            column += 1
            if column > maxSevenBitLineLength { return .quotedPrintable }
            last = b
        }
        return last == 0x20 || last == 0x09 ? .quotedPrintable : .sevenBit
    }

    /// The body as it goes on the wire: CRLF line endings, encoded as required.
    func encode(_ text: String) -> String {
        var text = text
        return String(decoding: text.withUTF8(encode), as: UTF8.self)
    }

    func encode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        switch self {
        case .sevenBit:
            var output: [UInt8] = []
            LineEndings.appendNormalizedToCRLF(text, to: &output)
            return output
        case .quotedPrintable:
            return QuotedPrintable.encode(text)
        case .base64:
            var normalized: [UInt8] = []
            LineEndings.appendNormalizedToCRLF(text, to: &normalized)
            var output: [UInt8] = []
            Self.appendBase64Lines(normalized, to: &output)
            return output
        }
    }

    /// 7bit when it survives every hop; else the shorter of quoted-printable (readable in raw
    /// form, so it wins ties and near-ties) and base64.
    static func encoded(_ text: String) -> (encoding: ContentTransferEncoding, body: String) {
        var text = text
        let (encoding, body) = text.withUTF8(encoded)
        return (encoding, String(decoding: body, as: UTF8.self))
    }

    static func encoded(_ text: UnsafeBufferPointer<UInt8>) -> (encoding: ContentTransferEncoding, body: [UInt8]) {
        let choice = choose(for: text)
        guard choice == .quotedPrintable else { return (choice, choice.encode(text)) }
        let quoted = QuotedPrintable.encode(text)
        // Normalising never shortens the text, so when base64 of the text as it stands is
        // already too long, the exact length is not needed (it takes another pass).
        if base64Wins(crlfLength: text.count, quotedLength: quoted.count),
           base64Wins(crlfLength: LineEndings.crlfLength(of: text), quotedLength: quoted.count) {
            return (.base64, ContentTransferEncoding.base64.encode(text))
        }
        return (.quotedPrintable, quoted)
    }

    private static func base64Wins(crlfLength: Int, quotedLength: Int) -> Bool {
        let base64Length = (crlfLength + 2) / 3 * 4 * 78 / 76
        return base64Length * 5 < quotedLength * 4
    }

    /// RFC 2045 §6.8: at most 76 characters per line.
    static func appendBase64Lines(_ data: [UInt8], to output: inout [UInt8]) {
        let encoded = EncodedWord.base64(data)
        output.reserveCapacity(output.count + encoded.count + encoded.count / 76 * 2)
        var start = 0
        while start < encoded.count {
            if start > 0 { output.append(contentsOf: LineEndings.crlf) }
            let end = min(start + 76, encoded.count)
            output.append(contentsOf: encoded[start..<end])
            start = end
        }
    }
}
