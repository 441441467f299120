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
        for line in LineEndings.splitLines(text) {
            if line.count > maxSevenBitLineLength { return .quotedPrintable }
            for b in line where b >= 0x80 || b == 0x7F || (b < 0x20 && b != 0x09) {
                return .quotedPrintable
            }
            // Trailing whitespace is stripped by some relays, which would alter the text.
            if let last = line.last, last == 0x20 || last == 0x09 { return .quotedPrintable }
        }
        return .sevenBit
    }

    /// The body as it goes on the wire: CRLF line endings, encoded as required.
    func encode(_ text: String) -> String {
        switch self {
        case .sevenBit: return LineEndings.normalizedToCRLF(text)
        case .quotedPrintable: return QuotedPrintable.encode(text)
        case .base64: return Self.base64Lines(Array(LineEndings.normalizedToCRLF(text).utf8))
        }
    }

    /// 7bit when it survives every hop; else the shorter of quoted-printable (readable in raw
    /// form, so it wins ties and near-ties) and base64.
    static func encoded(_ text: String) -> (encoding: ContentTransferEncoding, body: String) {
        let choice = choose(for: text)
        guard choice == .quotedPrintable else { return (choice, choice.encode(text)) }
        let quoted = QuotedPrintable.encode(text)
        let crlfLength = LineEndings.normalizedToCRLF(text).utf8.count
        let base64Length = (crlfLength + 2) / 3 * 4 * 78 / 76
        if base64Length * 5 < quoted.utf8.count * 4 {
            return (.base64, ContentTransferEncoding.base64.encode(text))
        }
        return (.quotedPrintable, quoted)
    }

    /// RFC 2045 §6.8: at most 76 characters per line.
    static func base64Lines(_ data: [UInt8]) -> String {
        let encoded = EncodedWord.base64(data)
        var lines: [String] = []
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            lines.append(String(decoding: encoded[start..<end], as: UTF8.self))
            start = end
        }
        return lines.joined(separator: "\r\n")
    }
}
