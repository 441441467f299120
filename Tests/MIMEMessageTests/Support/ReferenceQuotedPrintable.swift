/// The quoted-printable encoder as it was before it worked in one pass over bytes (commit
/// 7f1f632): lines split into an array, each line measured, then written. Slow and plain, so
/// the fast one can be compared with it on any input.
enum ReferenceQuotedPrintable {
    static func encode(_ text: String) -> String {
        splitLines(text).map(encodeLine).joined(separator: "\r\n")
    }

    private static func splitLines(_ text: String) -> [ArraySlice<UInt8>] {
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

    private static func encodeLine(_ line: ArraySlice<UInt8>) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        let lastIndex = line.indices.last
        func escaped(_ i: Int) -> Bool {
            let b = line[i]
            let isLiteral = (b >= 0x21 && b <= 0x7E && b != UInt8(ascii: "=")) || b == 0x20 || b == 0x09
            return !isLiteral || (i == lastIndex && (b == 0x20 || b == 0x09))
        }
        var remaining = 0
        for i in line.indices { remaining += escaped(i) ? 3 : 1 }
        var output: [UInt8] = []
        var column = 0
        for i in line.indices {
            let width = escaped(i) ? 3 : 1
            if column + remaining > 76 && column + width > 75 {
                output += [UInt8(ascii: "="), 0x0D, 0x0A]
                column = 0
            }
            let b = line[i]
            if width == 1 {
                output.append(b)
            } else {
                output += [UInt8(ascii: "="), hexDigits[Int(b >> 4)], hexDigits[Int(b & 0x0F)]]
            }
            column += width
            remaining -= width
        }
        return String(decoding: output, as: UTF8.self)
    }
}
