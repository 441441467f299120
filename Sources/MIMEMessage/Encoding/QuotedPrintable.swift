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
        LineEndings.splitLines(text).map(encodeLine).joined(separator: "\r\n")
    }

    /// One hard line, possibly folded into several physical lines with soft breaks.
    static func encodeLine(_ line: ArraySlice<UInt8>) -> String {
        // Each byte becomes an indivisible token ("a" or "=C3"), so a soft break can never land
        // inside an escape. Tokens are written straight into the output: this runs for every
        // byte of every email.
        let lastIndex = line.indices.last
        func escaped(_ i: Int) -> Bool {
            let b = line[i]
            return !isLiteral(b) || (i == lastIndex && (b == 0x20 || b == 0x09))
        }
        var remaining = 0
        for i in line.indices { remaining += escaped(i) ? 3 : 1 }

        var output: [UInt8] = []
        output.reserveCapacity(remaining + remaining / (maxLineLength - 1) * 3 + 3)
        var column = 0
        for i in line.indices {
            let width = escaped(i) ? 3 : 1
            // The final physical line needs no '=' and may use the full width.
            if column + remaining > maxLineLength && column + width > maxLineLength - 1 {
                output.append(contentsOf: [UInt8(ascii: "="), 0x0D, 0x0A])
                column = 0
            }
            let b = line[i]
            if width == 1 {
                output.append(b)
            } else {
                output.append(UInt8(ascii: "="))
                output.append(hexDigits[Int(b >> 4)])
                output.append(hexDigits[Int(b & 0x0F)])
            }
            column += width
            remaining -= width
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Printable ASCII other than '=' stands for itself; space and tab too, except at
    /// the end of a line where transports may strip them.
    private static func isLiteral(_ b: UInt8) -> Bool {
        (b >= 0x21 && b <= 0x7E && b != UInt8(ascii: "=")) || b == 0x20 || b == 0x09
    }
}
