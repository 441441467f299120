extension String {
    /// Appends `text` with HTML-special characters replaced by entities.
    ///
    /// Works on UTF-8 bytes: all five special characters are ASCII, so a byte match is
    /// always a whole character, and unescaped runs are copied as slices.
    mutating func appendHTMLEscaped(_ text: String) {
        let utf8 = text.utf8
        var runStart = utf8.startIndex
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let replacement: String?
            switch utf8[index] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "'"): replacement = "&#39;"
            default: replacement = nil
            }
            let next = utf8.index(after: index)
            if let replacement {
                if runStart != index { append(contentsOf: text[runStart..<index]) }
                append(replacement)
                runStart = next
            }
            index = next
        }
        if runStart == utf8.startIndex {
            append(text)
        } else if runStart != utf8.endIndex {
            append(contentsOf: text[runStart...])
        }
    }
}
