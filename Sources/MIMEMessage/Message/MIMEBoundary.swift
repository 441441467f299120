/// multipart boundaries.
enum MIMEBoundary {
    private static let alphabet: [Character] =
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    static let maxAttempts = 16

    /// "=_" cannot occur in quoted-printable output ('=' is always followed by two hex
    /// digits or a line break), so a collision needs a 7bit part containing it verbatim,
    /// and the random tail makes even that astronomically unlikely. Callers still check.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        var tail = ""
        for _ in 0..<28 { tail.append(alphabet.randomElement(using: &generator)!) }
        return "=_" + tail
    }

    /// RFC 2046 section 5.1.1: the delimiter must not appear in any encapsulated part.
    /// Checking for the bare boundary anywhere is stricter than checking line starts.
    static func isUsable(_ boundary: String, with bodies: [String]) -> Bool {
        guard (1...70).contains(boundary.utf8.count) else { return false }
        let needle = Array(boundary.utf8)
        return !bodies.contains { containsBytes(Array($0.utf8), needle) }
    }

    /// Byte-wise on purpose: String comparison is per grapheme, and matching must not
    /// depend on what the neighbouring characters are.
    static func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
