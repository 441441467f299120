/// RFC 2047 encoded-words (`=?utf-8?q?...?=` / `=?utf-8?b?...?=`) for non-ASCII text in
/// the Subject and in display names.
enum EncodedWord {
    /// RFC 2047 section 2: an encoded-word may not be more than 75 characters long.
    static let maxLength = 75
    private static let charset = "utf-8"
    /// `=?utf-8?q?` + `?=`
    private static let overhead = 2 + charset.utf8.count + 3 + 2
    private static let qPrefix = Array("=?\(charset)?\(Scheme.q.rawValue)?".utf8)
    private static let bPrefix = Array("=?\(charset)?\(Scheme.b.rawValue)?".utf8)
    /// Room for the largest indivisible piece (one 4-byte scalar as `=XX=XX=XX=XX`).
    private static let minimumPayload = 12

    enum Scheme: String {
        case q, b
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
    private static let base64Alphabet: [UInt8] =
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Whether `text` cannot go into a header verbatim: non-ASCII, control characters
    /// (other than tab), or a literal "=?" that a reader would mistake for an encoded-word.
    static func isRequired(for text: some StringProtocol) -> Bool {
        var previous: UInt8 = 0
        for b in text.utf8 {
            if b >= 0x7F || (b < 0x20 && b != 0x09) { return true }
            if previous == UInt8(ascii: "=") && b == UInt8(ascii: "?") { return true }
            previous = b
        }
        return false
    }

    /// Encodes all of `text` as a sequence of encoded-words, to be joined with single
    /// spaces (which decoders drop between adjacent encoded-words, so spaces in the
    /// text are carried inside the words). Words break only between grapheme clusters,
    /// or between scalars for a cluster too long to fit any word, never inside a UTF-8
    /// sequence. `firstWordMaxLength` lets the caller make the first word fit on the
    /// line after the header name.
    static func encode(_ text: String, firstWordMaxLength: Int = maxLength) -> [String] {
        let bytes = Array(text.utf8)
        // Q stays readable in raw headers and logs, so it wins unless B is clearly shorter.
        let b = bLength(bytes.count)
        let q = qLength(bytes)
        let scheme: Scheme = q <= b + b / 4 ? .q : .b
        let fullPayload = maxLength - overhead
        var payload = min(firstWordMaxLength, maxLength) - overhead
        if payload < minimumPayload { payload = fullPayload }

        // Most subjects and names fit in one word: then the character boundaries, which take
        // Unicode tables to find, need not be looked for.
        if bytes.isEmpty { return [] }
        if (scheme == .q ? q : b) <= payload { return [word(bytes, scheme: scheme)] }

        var words: [String] = []
        var chunk: [UInt8] = []
        func fits(_ extra: some Collection<UInt8>) -> Bool {
            encodedLength(chunk[...], scheme: scheme, plus: extra) <= payload
        }
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append(word(chunk, scheme: scheme))
            chunk = []
            payload = fullPayload
        }
        for character in text {
            let unit = character.utf8
            if fits(unit) { chunk += unit; continue }
            flush()
            if fits(unit) { chunk += unit; continue }
            // A cluster bigger than a whole word (long ZWJ or combining sequences):
            // fall back to scalar boundaries, which still keeps the UTF-8 valid.
            for scalar in character.unicodeScalars {
                let piece = scalar.utf8
                if !fits(piece) { flush() }
                chunk += piece
            }
        }
        flush()
        return words
    }

    /// `=?utf-8?q?...?=`, built as bytes rather than by interpolating four strings.
    private static func word(_ bytes: [UInt8], scheme: Scheme) -> String {
        var word: [UInt8] = []
        word.reserveCapacity(overhead + (scheme == .q ? qLength(bytes) : bLength(bytes.count)))
        word.append(contentsOf: scheme == .q ? qPrefix : bPrefix)
        appendPayload(bytes, scheme: scheme, to: &word)
        word.append(UInt8(ascii: "?"))
        word.append(UInt8(ascii: "="))
        return String(decoding: word, as: UTF8.self)
    }


    // MARK: sizes

    private static func encodedLength(_ chunk: ArraySlice<UInt8>, scheme: Scheme, plus extra: some Collection<UInt8>) -> Int {
        switch scheme {
        case .q: return qLength(chunk) + qLength(extra)
        case .b: return bLength(chunk.count + extra.count)
        }
    }

    private static func qLength(_ bytes: some Sequence<UInt8>) -> Int {
        bytes.reduce(0) { $0 + (isQLiteral($1) || $1 == 0x20 ? 1 : 3) }
    }

    private static func bLength(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// The RFC 2047 section 5(3) set, the strictest one, valid in a phrase as well as
    /// in unstructured text, so the same words work for Subject and display names.
    private static func isQLiteral(_ b: UInt8) -> Bool {
        ASCIIClass.isAlpha(b) || ASCIIClass.isDigit(b)
            || b == UInt8(ascii: "!") || b == UInt8(ascii: "*") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "/")
    }

    // MARK: encoding

    private static func appendPayload(_ bytes: [UInt8], scheme: Scheme, to out: inout [UInt8]) {
        switch scheme {
        case .q:
            for b in bytes {
                if isQLiteral(b) {
                    out.append(b)
                } else if b == 0x20 {
                    out.append(UInt8(ascii: "_"))
                } else {
                    out.append(UInt8(ascii: "="))
                    out.append(hexDigits[Int(b >> 4)])
                    out.append(hexDigits[Int(b & 0x0F)])
                }
            }
        case .b:
            out.append(contentsOf: base64(bytes))
        }
    }

    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bLength(bytes.count))
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(base64Alphabet[Int(b0 >> 2)])
            out.append(base64Alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? base64Alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? base64Alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return out
    }
}
