/// One `text/*` body part: its headers and its encoded content.
struct TextPart {
    let mediaType: String
    let transferEncoding: ContentTransferEncoding
    /// CRLF-separated, 7-bit, without a trailing line break of its own.
    let encodedBody: [UInt8]

    init(mediaType: String, text: String) {
        self.mediaType = mediaType
        var text = text
        (self.transferEncoding, self.encodedBody) = text.withUTF8(ContentTransferEncoding.encoded)
    }

    var headers: [(String, String)] {
        [
            ("Content-Type", "\(mediaType); charset=utf-8"),
            ("Content-Transfer-Encoding", transferEncoding.rawValue),
        ]
    }
}
