/// RFC 2045 section 6.7 quoted-printable, for text bodies.
///
/// Input is treated as text: line breaks become hard CRLF breaks rather than `=0D=0A`,
/// so a reader's client shows the same lines the template produced.
enum QuotedPrintable {
    /// RFC 2045 limits encoded lines to 76 characters, including a trailing soft-break '='.
    static let maxLineLength = 76

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Encodes `text` into CRLF-separated lines, none longer than `maxLineLength`.
    static func encode(_ text: String) -> String {
        var text = text
        return String(decoding: text.withUTF8(encode), as: UTF8.self)
    }

    /// One pass over the bytes, writing straight into the output: this runs for every byte of
    /// every email. Each byte becomes an indivisible token ("a" or "=C3"), so a soft break can
    /// never land inside an escape.
    static func encode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let n = text.count
        // Room for the worst case, every byte escaped, plus a soft break per 73 characters
        // (a break comes only once a line holds at least 73): sizing exactly would take another
        // pass, and the array lives only until the part is assembled.
        let capacity = 3 * n + (3 * n / 73 + 1) * 3
        return [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
            hexDigits.withUnsafeBufferPointer { hex in
                var o = 0
                var column = 0
                var i = 0
                while i < n {
                    // Runs of bytes that stand for themselves, short of where a soft break could
                    // be due, are copied without the checks below: in most text that is nearly
                    // every byte.
                    let runEnd = min(n, i + (maxLineLength - 3 - column))
                    var j = i
                    while j < runEnd && j + 8 <= n {
                        let word = UInt64(littleEndian: UnsafeRawPointer(text.baseAddress! + j).loadUnaligned(as: UInt64.self))
                        let stops = notPlain(word)
                        if stops == 0 {
                            j += 8
                        } else {
                            j += stops.trailingZeroBitCount / 8
                            break
                        }
                    }
                    j = min(j, runEnd)
                    // Byte by byte past a tab, and in the last bytes of the text, where eight
                    // cannot be read at once.
                    while j < runEnd && isPlain(text[j]) { j += 1 }
                    // Except a space or tab that ends the line.
                    if j > i, j == n || text[j] == 0x0D || text[j] == 0x0A, text[j - 1] == 0x20 || text[j - 1] == 0x09 { j -= 1 }
                    if j > i {
                        (out.baseAddress! + o).initialize(from: text.baseAddress! + i, count: j - i)
                        o += j - i
                        column += j - i
                        i = j
                        continue
                    }
                    let b = text[i]
                    if b == 0x0D || b == 0x0A {
                        out[o] = 0x0D
                        out[o + 1] = 0x0A
                        o += 2
                        column = 0
                        if b == 0x0D, i + 1 < n, text[i + 1] == 0x0A { i += 1 }
                        i += 1
                        continue
                    }
                    let width = tokenWidth(text, at: i)
                    // The final physical line of a line needs no '=' and may use the full width,
                    // so a break is due only if the rest of the line does not fit; that is
                    // looked at only near the end of a physical line, a few bytes ahead.
                    if column + width > maxLineLength - 1,
                       column + widthOfLine(text, from: i, upTo: maxLineLength - column) > maxLineLength {
                        out[o] = UInt8(ascii: "=")
                        out[o + 1] = 0x0D
                        out[o + 2] = 0x0A
                        o += 3
                        column = 0
                    }
                    if width == 1 {
                        out[o] = b
                        o += 1
                    } else {
                        out[o] = UInt8(ascii: "=")
                        out[o + 1] = hex[Int(b >> 4)]
                        out[o + 2] = hex[Int(b & 0x0F)]
                        o += 3
                    }
                    column += width
                    i += 1
                }
                count = o
            }
        }
    }

    /// Printable ASCII other than '=', space and tab: bytes that stand for themselves, unless a
    /// space or tab ends a line.
    @inline(__always)
    private static func isPlain(_ b: UInt8) -> Bool {
        (b >= 0x20 && b <= 0x7E && b != UInt8(ascii: "=")) || b == 0x09
    }

    /// The top bit set in each byte of `word` that is not printable ASCII other than '=' (the
    /// tab, rare in text, is left to the byte-wise path), from "Bit Twiddling Hacks" (hasless,
    /// hasmore, haszero). Bytes above the first such byte may be marked wrongly, as a borrow or
    /// carry runs up from it, but none below it: the lowest mark is exactly the first stop.
    @inline(__always)
    private static func notPlain(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let tops: UInt64 = 0x8080_8080_8080_8080
        let below0x20 = (word &- ones &* 0x20) & ~word
        let above0x7E = (word &+ ones) | word   // 0x7F + 1 reaches the top bit, 0x80... have it
        let equalsSign = word ^ (ones &* 0x3D)     // zero where the byte is '='
        let isEquals = (equalsSign &- ones) & ~equalsSign
        return (below0x20 | above0x7E | isEquals) & tops
    }

    /// 1 for a byte that stands for itself, 3 for one written as "=XX". Printable ASCII other
    /// than '=' stands for itself; space and tab too, except at the end of a line where
    /// transports may strip them.
    @inline(__always)
    private static func tokenWidth(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b = text[i]
        if b >= 0x21 && b <= 0x7E { return b == UInt8(ascii: "=") ? 3 : 1 }
        guard b == 0x20 || b == 0x09 else { return 3 }
        let isLast = i + 1 == text.count || text[i + 1] == 0x0D || text[i + 1] == 0x0A
        return isLast ? 3 : 1
    }

    /// The encoded width of the line from `start` to its end, or a number above `limit` as soon
    /// as it is known to pass it.
    private static func widthOfLine(_ text: UnsafeBufferPointer<UInt8>, from start: Int, upTo limit: Int) -> Int {
        var width = 0
        var i = start
        while i < text.count, text[i] != 0x0D, text[i] != 0x0A, width <= limit {
            width += tokenWidth(text, at: i)
            i += 1
        }
        return width
    }
}
