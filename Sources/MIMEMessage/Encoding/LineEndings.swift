/// Splits text into lines the way mail needs it: CRLF, bare LF and bare CR all end a
/// line. SMTP servers reject or "fix" bare CR/LF inconsistently (and bare LF is a
/// known smuggling vector), so nothing but CRLF may leave this module.
enum LineEndings {
    /// The lines of `text` as UTF-8 without their terminators. A trailing line break
    /// yields a final empty line, so joining with CRLF reproduces the text exactly.
    static func splitLines(_ text: String) -> [ArraySlice<UInt8>] {
        let bytes = Array(text.utf8)
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0D || b == 0x0A {
                lines.append(bytes[start..<i])
                if b == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                start = i + 1
            }
            i += 1
        }
        lines.append(bytes[start..<bytes.count])
        return lines
    }

    static func normalizedToCRLF(_ text: String) -> String {
        splitLines(text).map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\r\n")
    }
}
