/// multipart boundaries.
enum MIMEBoundary {
    private static let alphabet: [UInt8] =
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    static let maxAttempts = 16

    /// "=_" cannot occur in quoted-printable output ('=' is always followed by two hex
    /// digits or a line break), so a collision needs a 7bit part containing it verbatim,
    /// and the random tail makes even that astronomically unlikely. Callers still check.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var boundary: [UInt8] = [UInt8(ascii: "="), UInt8(ascii: "_")]
        boundary.reserveCapacity(30)
        // Six bits per character, ten characters per call: the generator is a system call
        // on Linux, one per character would cost more than everything else here.
        var bits: UInt64 = 0
        var bitsLeft = 0
        while boundary.count < 30 {
            if bitsLeft < 6 {
                bits = generator.next()
                bitsLeft = 64
            }
            let index = Int(bits & 0x3F)
            bits >>= 6
            bitsLeft -= 6
            // 62 and 63 are skipped rather than folded onto other characters, which keeps
            // every character equally likely.
            if index < alphabet.count { boundary.append(alphabet[index]) }
        }
        return String(decoding: boundary, as: UTF8.self)
    }

    /// RFC 2046 section 5.1.1: the delimiter must not appear in any encapsulated part.
    /// Checking for the bare boundary anywhere is stricter than checking line starts.
    static func isUsable(_ boundary: String, with bodies: [[UInt8]]) -> Bool {
        guard (1...70).contains(boundary.utf8.count) else { return false }
        var boundary = boundary
        return boundary.withUTF8 { needle in
            withSkipTable(for: needle) { skips in
                !bodies.contains { body in
                    body.withUnsafeBufferPointer { contains($0, needle, skips: skips) }
                }
            }
        }
    }

    /// Horspool's search: the byte under the needle's last position says how far the needle can
    /// move on, usually its whole length, as most bytes of a body do not occur in a boundary.
    /// Byte-wise on purpose: String comparison is per grapheme, and matching must not depend
    /// on what the neighbouring characters are.
    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>,
                                 skips: UnsafeBufferPointer<UInt8>) -> Bool {
        let last = needle.count - 1
        var start = 0
        while start + last < haystack.count {
            let b = haystack[start + last]
            if b == needle[last] && UnsafeBufferPointer(rebasing: haystack[start..<(start + last)]).elementsEqual(needle[..<last]) {
                return true
            }
            start += Int(skips[Int(b)])
        }
        return false
    }

    /// For each byte value, the distance from its last occurrence in the needle (before the
    /// final position) to the needle's end; the whole length for bytes not in the needle.
    private static func withSkipTable<R>(for needle: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { table in
            table.initialize(repeating: UInt8(needle.count))
            for j in 0..<(needle.count - 1) { table[Int(needle[j])] = UInt8(needle.count - 1 - j) }
            return body(UnsafeBufferPointer(table))
        }
    }
}
