extension Array where Element == UInt8 {
    /// Appends the UTF-8 of `text` as one copy; `append(contentsOf: text.utf8)` goes byte by
    /// byte, which shows on every header of every email.
    mutating func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }
}
