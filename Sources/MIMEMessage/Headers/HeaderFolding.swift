/// RFC 5322 section 2.2.3 folding: long header lines are broken by inserting CRLF
/// before existing whitespace, so unfolding (deleting the CRLFs) restores the value.
enum HeaderFolding {
    /// RFC 5322 section 2.1.1: lines SHOULD be no more than 78 characters.
    static let maxLineLength = 78

    /// Returns `Name: value` folded into CRLF-separated lines, without a trailing CRLF.
    /// The value must already be ASCII (encoded-words applied) and free of CR/LF.
    /// A run of non-whitespace longer than a line cannot be folded and is left whole;
    /// callers avoid that by using encoded-words, which can be split.
    static func fold(name: String, value: String) -> String {
        let bytes = Array("\(name): \(value)".utf8)
        let firstBreakable = name.utf8.count + 2
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        while bytes.count - start > maxLineLength {
            guard let breakAt = breakPoint(in: bytes, lineStart: start, earliest: max(firstBreakable, start + 1)) else { break }
            lines.append(bytes[start..<breakAt])
            start = breakAt
        }
        lines.append(bytes[start...])
        return lines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\r\n")
    }

    /// The best place to insert CRLF: the last whitespace run starting within the line
    /// limit, or failing that the first one after it. Only the start of a run is used,
    /// so no line ends in whitespace, and only if non-whitespace follows, so no line is
    /// whitespace alone (which RFC 5322 forbids).
    private static func breakPoint(in bytes: [UInt8], lineStart: Int, earliest: Int) -> Int? {
        var best: Int?
        var i = earliest
        // The line must hold something other than the leading fold whitespace.
        var sawContent = bytes[lineStart..<min(earliest, bytes.count)].contains { !ASCIIClass.isWhitespace($0) }
        while i < bytes.count {
            let b = bytes[i]
            if ASCIIClass.isWhitespace(b) {
                if sawContent, !ASCIIClass.isWhitespace(bytes[i - 1]), hasContent(after: i, in: bytes) {
                    if i - lineStart <= maxLineLength {
                        best = i
                    } else {
                        return best ?? i
                    }
                }
            } else {
                sawContent = true
                if i - lineStart >= maxLineLength, best != nil { return best }
            }
            i += 1
        }
        return best
    }

    private static func hasContent(after index: Int, in bytes: [UInt8]) -> Bool {
        bytes[index...].contains { !ASCIIClass.isWhitespace($0) }
    }
}
