/// The transfer encodings this module emits for text parts.
enum ContentTransferEncoding: String, Sendable {
    case sevenBit = "7bit"
    case quotedPrintable = "quoted-printable"

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
        }
    }
}
