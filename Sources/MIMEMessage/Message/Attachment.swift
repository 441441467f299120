/// A file sent with the message: a download (`contentID` nil) or an image the HTML shows
/// inline through `<img src="cid:...">` (`contentID` set), such as a logo.
public struct Attachment: Sendable, Equatable {
    public var filename: String
    /// A MIME type such as `application/pdf` or `image/png`.
    public var contentType: String
    public var data: [UInt8]
    /// Without angle brackets; the HTML refers to it as `cid:<contentID>`.
    public var contentID: String?

    public init(filename: String, contentType: String, data: [UInt8], contentID: String? = nil) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
        self.contentID = contentID
    }

    var isInline: Bool { contentID != nil }

    /// The reason this attachment cannot be sent, naming the offending field.
    func problem() -> MessageError? {
        if filename.isEmpty || filename.utf8.count > 255 {
            return MessageError(field: "attachments.filename", reason: "must be 1 to 255 bytes, got \(filename.utf8.count)")
        }
        if let reason = InjectionGuard.forbiddenCharacterReason(in: filename) {
            return MessageError(field: "attachments.filename", reason: reason)
        }
        if filename.contains("/") || filename.contains("\\") {
            return MessageError(field: "attachments.filename", reason: "must be a file name without folders, got \"\(filename)\"")
        }
        if !Self.isMediaType(contentType) {
            return MessageError(field: "attachments.contentType", reason: "must be a MIME type such as application/pdf or image/png, got \"\(contentType.prefix(80))\"")
        }
        // A multipart/* part must carry a boundary and parts of its own, and RFC 2046 forbids base64
        // for message/*: either would be a broken message, not an attachment (found by Fuzz/fuzz-mime).
        let type = contentType.prefix { $0 != "/" }.lowercased()
        if type == "multipart" || type == "message" {
            return MessageError(field: "attachments.contentType", reason: "\(type)/ types are MIME structure, not file contents; send the file as application/octet-stream, got \"\(contentType.prefix(80))\"")
        }
        // RFC 2392: a cid: URL names a Content-ID, which has the msg-id form left@right.
        if let contentID, contentID.utf8.count > 200 || !contentID.utf8.allSatisfy(Self.isContentIDByte)
            || contentID.split(separator: "@", omittingEmptySubsequences: false).count != 2 || contentID.hasPrefix("@") || contentID.hasSuffix("@") {
            return MessageError(field: "attachments.contentId", reason: "must be letters, digits and . _ - @ only (e.g. logo@example.com), got \"\(contentID.prefix(80))\"")
        }
        return nil
    }

    /// type "/" subtype, both RFC 2045 tokens; parameters are ours to write, not the caller's.
    static func isMediaType(_ text: String) -> Bool {
        let halves = text.split(separator: "/", omittingEmptySubsequences: false)
        return halves.count == 2 && halves.allSatisfy { half in
            !half.isEmpty && half.utf8.count <= 127 && half.utf8.allSatisfy(isTokenByte)
        }
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !Array("()<>@,;:\\\"/[]?=".utf8).contains(byte)
    }

    private static func isContentIDByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
    }
}
