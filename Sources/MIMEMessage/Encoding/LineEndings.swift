/// Splits text into lines the way mail needs it: CRLF, bare LF and bare CR all end a
/// line. SMTP servers reject or "fix" bare CR/LF inconsistently (and bare LF is a
/// known smuggling vector), so nothing but CRLF may leave this module.
enum LineEndings {
    static let crlf: [UInt8] = [0x0D, 0x0A]

    /// Calls `body` with the range of each line of `bytes`, terminator excluded, in order, until
    /// it returns false. A trailing line break yields a final empty line, so joining the lines
    /// with CRLF gives the normalised text. Ranges instead of an array of lines: bodies are split
    /// on every email, and an array would cost an allocation and a copy per line.
    @inline(__always)
    static func forEachLine(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Bool) {
        var start = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b <= 0x0D && (b == 0x0D || b == 0x0A) {
                if !body(start..<i) { return }
                if b == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                start = i + 1
            }
            i += 1
        }
        _ = body(start..<bytes.count)
    }

    /// The text with every line break as CRLF, appended to `output`.
    static func appendNormalizedToCRLF(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.reserveCapacity(output.count + crlfLength(of: bytes))
        var first = true
        forEachLine(in: bytes) { line in
            if !first { output.append(contentsOf: crlf) }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[line]))
            first = false
            return true
        }
    }

    /// The length of the text once normalised: a bare CR or LF grows by one byte, CRLF stays.
    static func crlfLength(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var length = bytes.count
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0D {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 } else { length += 1 }
            } else if b == 0x0A {
                length += 1
            }
            i += 1
        }
        return length
    }
}
