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
        // Each byte becomes an indivisible token ("a" or "=C3"), so a soft break
        // can never land inside an escape.
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(line.count)
        let lastIndex = line.indices.last
        for i in line.indices {
            let b = line[i]
            let isTrailingWhitespace = (i == lastIndex) && (b == 0x20 || b == 0x09)
            if isLiteral(b) && !isTrailingWhitespace {
                tokens.append([b])
            } else {
                tokens.append([UInt8(ascii: "="), hexDigits[Int(b >> 4)], hexDigits[Int(b & 0x0F)]])
            }
        }

        var output: [UInt8] = []
        var current: [UInt8] = []
        var remaining = tokens.reduce(0) { $0 + $1.count }
        for token in tokens {
            // The final physical line needs no '=' and may use the full width.
            if current.count + remaining <= maxLineLength {
                current.append(contentsOf: token)
                remaining -= token.count
                continue
            }
            if current.count + token.count > maxLineLength - 1 {
                output.append(contentsOf: current)
                output.append(contentsOf: [UInt8(ascii: "="), 0x0D, 0x0A])
                current = []
            }
            current.append(contentsOf: token)
            remaining -= token.count
        }
        output.append(contentsOf: current)
        return String(decoding: output, as: UTF8.self)
    }

    /// Printable ASCII other than '=' stands for itself; space and tab too, except at
    /// the end of a line where transports may strip them.
    private static func isLiteral(_ b: UInt8) -> Bool {
        (b >= 0x21 && b <= 0x7E && b != UInt8(ascii: "=")) || b == 0x20 || b == 0x09
    }
}
