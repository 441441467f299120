/// The MIME leaf of an attachment: base64 in 76-character lines (RFC 2045 §6.8), the file name
/// on Content-Disposition (`filename`) and, for older readers, on Content-Type (`name`).
enum AttachmentPart {
    static func part(for attachment: Attachment) -> MIMEPart {
        let filenameParameters = FilenameParameter.parameters(for: attachment.filename)
        var headers: [(String, String)] = [
            ("Content-Type", "\(attachment.contentType.lowercased()); \(filenameParameters.legacyName)"),
            ("Content-Transfer-Encoding", "base64"),
            ("Content-Disposition", "\(attachment.isInline ? "inline" : "attachment"); \(filenameParameters.filename)"),
        ]
        if let contentID = attachment.contentID {
            headers.append(("Content-ID", "<\(contentID)>"))
        }
        var body: [UInt8] = []
        ContentTransferEncoding.appendBase64Lines(attachment.data, to: &body)
        return .leaf(headers: headers, body: body)
    }
}

/// RFC 2231 `filename*=utf-8''...` (and `name*=` on Content-Type) for names that are not plain
/// ASCII. Not also an ASCII `filename=` or an encoded-word `name="=?utf-8?..."`: parsers such as
/// Python's strict policy count the first as a duplicate parameter and the second as an
/// encoded-word inside a quoted string, both defects; mail clients of the last 15 years read 2231.
enum FilenameParameter {
    static func parameters(for filename: String) -> (filename: String, legacyName: String) {
        if filename.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return ("filename=\"\(filename)\"", "name=\"\(filename)\"")
        }
        let encoded = "utf-8''" + percentEncoded(filename)
        return ("filename*=\(encoded)", "name*=\(encoded)")
    }

    /// RFC 2231 §4 / RFC 5987 attr-char: letters, digits and !#$&+-.^_`|~ stay; the rest is %XX.
    static func percentEncoded(_ text: String) -> String {
        let unreserved = Set("!#$&+-.^_`|~".utf8)
        var output = ""
        for byte in text.utf8 {
            let isAlphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            if isAlphanumeric || unreserved.contains(byte) {
                output.append(Character(Unicode.Scalar(byte)))
            } else {
                output += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return output
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
