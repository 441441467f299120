/// One `text/*` body part: its headers and its encoded content.
struct TextPart {
    let mediaType: String
    let transferEncoding: ContentTransferEncoding
    /// CRLF-separated, 7-bit, without a trailing line break of its own.
    let encodedBody: String

    init(mediaType: String, text: String) {
        self.mediaType = mediaType
        (self.transferEncoding, self.encodedBody) = ContentTransferEncoding.encoded(text)
    }

    var headers: [(String, String)] {
        [
            ("Content-Type", "\(mediaType); charset=utf-8"),
            ("Content-Transfer-Encoding", transferEncoding.rawValue),
        ]
    }

    /// Headers, blank line and body, as it sits between two boundary delimiters.
    func rendered() -> String {
        headers.map { HeaderFolding.fold(name: $0.0, value: $0.1) + "\r\n" }.joined() + "\r\n" + encodedBody
    }
}
