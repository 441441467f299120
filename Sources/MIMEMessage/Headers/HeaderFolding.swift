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
        var output: [UInt8] = []
        append(name: name, value: value, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// `fold(name:value:)` appended to `output`.
    static func append(name: String, value: String, to output: inout [UInt8]) {
        let firstBreakable = name.utf8.count + 2
        // Most headers fit on one line: no copy of the line to look for break points.
        guard firstBreakable + value.utf8.count > maxLineLength else {
            output.appendUTF8(name)
            output.append(UInt8(ascii: ":"))
            output.append(UInt8(ascii: " "))
            output.appendUTF8(value)
            return
        }
        let bytes = Array("\(name): \(value)".utf8)
        // A break needs content after it; past the last content byte there is none.
        let lastContent = bytes.lastIndex { !ASCIIClass.isWhitespace($0) } ?? -1
        var start = 0
        while bytes.count - start > maxLineLength {
            guard let breakAt = breakPoint(in: bytes, lineStart: start, earliest: max(firstBreakable, start + 1), lastContent: lastContent)
            else { break }
            output.append(contentsOf: bytes[start..<breakAt])
            output.append(contentsOf: LineEndings.crlf)
            start = breakAt
        }
        output.append(contentsOf: bytes[start...])
    }

    /// The best place to insert CRLF: the last whitespace run starting within the line
    /// limit, or failing that the first one after it. Only the start of a run is used,
    /// so no line ends in whitespace, and only if non-whitespace follows, so no line is
    /// whitespace alone (which RFC 5322 forbids).
    private static func breakPoint(in bytes: [UInt8], lineStart: Int, earliest: Int, lastContent: Int) -> Int? {
        var best: Int?
        var i = earliest
        // The line must hold something other than the leading fold whitespace.
        var sawContent = bytes[lineStart..<min(earliest, bytes.count)].contains { !ASCIIClass.isWhitespace($0) }
        while i < bytes.count {
            let b = bytes[i]
            if ASCIIClass.isWhitespace(b) {
                if sawContent, !ASCIIClass.isWhitespace(bytes[i - 1]), i < lastContent {
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
}
