import Foundation

/// A deliberately small RFC 5322 / 5321 mailbox parser.
///
/// It accepts what real users and templates send (`addr-spec`, `<addr-spec>`,
/// `phrase <addr-spec>`, quoted display names and quoted local parts) and refuses the
/// rest with a reason a person can act on. Comments, group syntax, obsolete routes,
/// Internationalised domains are converted to their xn-- form; non-ASCII local parts are kept
/// (they need SMTPUTF8, RFC 6531).
enum AddressParser {
    static let maxLocalPartOctets = 64
    static let maxAddressOctets = 254
    static let maxDomainOctets = 253
    static let maxLabelOctets = 63

    struct Mailbox {
        var displayName: String?
        var address: String
    }

    // MARK: mailbox

    static func parseMailbox(_ input: String) throws(AddressError) -> Mailbox {
        if let reason = InjectionGuard.forbiddenCharacterReason(in: input) {
            throw AddressError(input: input, reason: reason)
        }
        let bytes = trimmed(Array(input.utf8))
        if bytes.isEmpty { throw AddressError(input: input, reason: "is empty") }

        guard let open = indexOfAngleOutsideQuotes(bytes, input: input) else {
            let address = try parseAddrSpec(bytes, originalInput: input)
            return Mailbox(displayName: nil, address: address)
        }
        guard let close = bytes[open...].firstIndex(of: UInt8(ascii: ">")) else {
            throw AddressError(input: input, reason: "missing '>' after '<'")
        }
        if bytes[(open + 1)..<close].contains(UInt8(ascii: "<")) {
            throw AddressError(input: input, reason: "contains more than one '<'")
        }
        if close != bytes.count - 1 {
            if bytes[(close + 1)...].contains(UInt8(ascii: "(")) {
                throw AddressError(input: input, reason: "comments in parentheses are not supported")
            }
            throw AddressError(input: input, reason: "unexpected text after '>'")
        }
        let inner = Array(bytes[(open + 1)..<close])
        if inner.first == UInt8(ascii: "@") {
            throw AddressError(input: input, reason: "source routes (<@host:...>) are not supported")
        }
        let address = try parseAddrSpec(inner, originalInput: input)
        let name = try parsePhrase(Array(bytes[..<open]), originalInput: input)
        return Mailbox(displayName: name, address: address)
    }

    /// Finds the '<' that starts an angle-addr, ignoring any inside a quoted display name.
    private static func indexOfAngleOutsideQuotes(_ bytes: [UInt8], input: String) -> Int? {
        var inQuotes = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "\"") { inQuotes = false }
            } else {
                if b == UInt8(ascii: "\"") { inQuotes = true }
                if b == UInt8(ascii: "<") { return i }
            }
            i += 1
        }
        return nil
    }

    /// Parses the display-name phrase: atoms and quoted-strings separated by whitespace.
    /// Whitespace between words collapses to one space, as a mail client would show it.
    private static func parsePhrase(_ bytes: [UInt8], originalInput input: String) throws(AddressError) -> String? {
        var words: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if ASCIIClass.isWhitespace(b) { i += 1; continue }
            if b == UInt8(ascii: "\"") {
                var word: [UInt8] = []
                i += 1
                var closed = false
                while i < bytes.count {
                    let c = bytes[i]
                    if c == UInt8(ascii: "\\") {
                        guard i + 1 < bytes.count else { break }
                        word.append(bytes[i + 1])
                        i += 2
                        continue
                    }
                    if c == UInt8(ascii: "\"") { closed = true; i += 1; break }
                    word.append(c)
                    i += 1
                }
                if !closed {
                    throw AddressError(input: input, reason: "display name has an unterminated quoted string")
                }
                words.append(word)
                continue
            }
            var word: [UInt8] = []
            while i < bytes.count, !ASCIIClass.isWhitespace(bytes[i]), bytes[i] != UInt8(ascii: "\"") {
                let c = bytes[i]
                // Non-ASCII is let through: people type "José <j@example.com>" and
                // RFC 6532 allows it; the serialiser turns it into encoded-words.
                // '.' is common in names ("John Q. Public", obs-phrase) so it is tolerated.
                if c < 0x80 && !ASCIIClass.isAtext(c) && c != UInt8(ascii: ".") {
                    if c == UInt8(ascii: "(") || c == UInt8(ascii: ")") {
                        throw AddressError(input: input, reason: "comments in parentheses are not supported")
                    }
                    if c < 0x20 || c == 0x7F {
                        throw AddressError(input: input, reason: "display name contains a control character")
                    }
                    throw AddressError(
                        input: input,
                        reason: "display name contains \(ASCIIClass.describe(c)); put the name in double quotes")
                }
                word.append(c)
                i += 1
            }
            words.append(word)
        }
        let joined = words.map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
        return try validateDisplayName(joined, originalInput: input)
    }

    /// Shared by both initialisers: refuses anything that could break the header line.
    static func validateDisplayName(_ name: String?, originalInput input: String) throws(AddressError) -> String? {
        guard let name else { return nil }
        if let reason = InjectionGuard.forbiddenCharacterReason(in: name) {
            throw AddressError(input: input, reason: "display name \(reason)")
        }
        let trimmedName = String(decoding: trimmed(Array(name.utf8)), as: UTF8.self)
        return trimmedName.isEmpty ? nil : trimmedName
    }

    // MARK: addr-spec

    static func parseAddrSpec(_ string: String, originalInput input: String) throws(AddressError) -> String {
        if let reason = InjectionGuard.forbiddenCharacterReason(in: string) {
            throw AddressError(input: input, reason: reason)
        }
        return try parseAddrSpec(Array(string.utf8), originalInput: input)
    }

    /// Returns the canonical addr-spec: an unnecessarily quoted local part is unquoted,
    /// as RFC 5321 section 4.1.2 asks senders to do.
    static func parseAddrSpec(_ bytes: [UInt8], originalInput input: String) throws(AddressError) -> String {
        if bytes.isEmpty { throw AddressError(input: input, reason: "is empty") }
        if bytes.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
            throw AddressError(input: input, reason: "contains a line break")
        }
        if bytes.contains(0) { throw AddressError(input: input, reason: "contains a NUL character") }

        let local: String
        let domainBytes: ArraySlice<UInt8>
        if bytes.first == UInt8(ascii: "\"") {
            let (content, end) = try parseQuotedLocalPart(bytes, originalInput: input)
            guard end < bytes.count, bytes[end] == UInt8(ascii: "@") else {
                if end >= bytes.count { throw AddressError(input: input, reason: "missing '@'") }
                throw AddressError(input: input, reason: "quoted local part must be followed directly by '@'")
            }
            local = canonicalLocalPart(fromUnquoted: content)
            domainBytes = bytes[(end + 1)...]
        } else {
            let ats = bytes.indices.filter { bytes[$0] == UInt8(ascii: "@") }
            guard let at = ats.first else { throw AddressError(input: input, reason: "missing '@'") }
            if ats.count > 1 {
                throw AddressError(input: input, reason: "contains more than one '@' (a local part with '@' must be quoted)")
            }
            let localBytes = bytes[..<at]
            try validateDotAtomLocalPart(localBytes, originalInput: input)
            // One spelling per address (RFC 6530 §10.1): "é" typed as e + combining accent too.
            // ASCII is its own NFC form; Foundation's normalisation would only copy it.
            let spelled = String(decoding: localBytes, as: UTF8.self)
            local = localBytes.allSatisfy { $0 < 0x80 } ? spelled : spelled.precomposedStringWithCanonicalMapping
            domainBytes = bytes[(at + 1)...]
        }

        if local.utf8.count > maxLocalPartOctets {
            throw AddressError(input: input, reason: "local part is longer than \(maxLocalPartOctets) octets")
        }
        let domain = try validateDomain(domainBytes, originalInput: input)
        let address = local + "@" + domain
        if address.utf8.count > maxAddressOctets {
            throw AddressError(input: input, reason: "address is longer than \(maxAddressOctets) octets")
        }
        return address
    }

    /// Returns the unescaped content of a quoted local part and the index just past
    /// its closing quote.
    private static func parseQuotedLocalPart(_ bytes: [UInt8], originalInput input: String) throws(AddressError) -> ([UInt8], Int) {
        var content: [UInt8] = []
        var i = 1
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0x80 {
                throw AddressError(input: input, reason: "a quoted local part must be ASCII; write a non-ASCII one without quotes")
            }
            if b == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { break }
                let escaped = bytes[i + 1]
                guard escaped >= 0x20 && escaped <= 0x7E else {
                    throw AddressError(input: input, reason: "quoted local part contains an invalid escape")
                }
                content.append(escaped)
                i += 2
                continue
            }
            if b == UInt8(ascii: "\"") {
                if content.isEmpty { throw AddressError(input: input, reason: "local part is empty") }
                return (content, i + 1)
            }
            guard ASCIIClass.isQtext(b) else {
                throw AddressError(input: input, reason: "quoted local part contains \(ASCIIClass.describe(b))")
            }
            content.append(b)
            i += 1
        }
        throw AddressError(input: input, reason: "quoted local part is missing its closing '\"'")
    }

    private static func canonicalLocalPart(fromUnquoted content: [UInt8]) -> String {
        if isDotAtom(content[...]) { return String(decoding: content, as: UTF8.self) }
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for b in content {
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { quoted.append(UInt8(ascii: "\\")) }
            quoted.append(b)
        }
        quoted.append(UInt8(ascii: "\""))
        return String(decoding: quoted, as: UTF8.self)
    }

    static func isDotAtom(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last,
              first != UInt8(ascii: "."), last != UInt8(ascii: ".") else { return false }
        var previousWasDot = false
        for b in bytes {
            if b == UInt8(ascii: ".") {
                if previousWasDot { return false }
                previousWasDot = true
            } else {
                guard ASCIIClass.isAtext(b) || b >= 0x80 else { return false }
                previousWasDot = false
            }
        }
        return true
    }

    private static func validateDotAtomLocalPart(_ bytes: ArraySlice<UInt8>, originalInput input: String) throws(AddressError) {
        if bytes.isEmpty { throw AddressError(input: input, reason: "local part is empty") }
        // RFC 6531 §3.3 adds every non-ASCII character to atext; such an address needs a server
        // with SMTPUTF8, which the SMTP client checks before sending.
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars where !scalar.isASCII {
            let properties = scalar.properties
            if properties.isWhitespace || [.control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .privateUse].contains(properties.generalCategory) {
                throw AddressError(input: input, reason: "local part contains U+\(String(scalar.value, radix: 16, uppercase: true)), which cannot be in an address")
            }
        }
        if let b = bytes.first(where: { $0 < 0x80 && !ASCIIClass.isAtext($0) && $0 != UInt8(ascii: ".") }) {
            if ASCIIClass.isWhitespace(b) {
                throw AddressError(input: input, reason: "local part contains a space (only allowed when quoted)")
            }
            if b == UInt8(ascii: "(") || b == UInt8(ascii: ")") {
                throw AddressError(input: input, reason: "comments in parentheses are not supported")
            }
            throw AddressError(input: input, reason: "local part contains \(ASCIIClass.describe(b))")
        }
        if bytes.first == UInt8(ascii: ".") { throw AddressError(input: input, reason: "local part starts with '.'") }
        if bytes.last == UInt8(ascii: ".") { throw AddressError(input: input, reason: "local part ends with '.'") }
        if !isDotAtom(bytes) { throw AddressError(input: input, reason: "local part contains consecutive dots") }
    }

    // MARK: domain

    private static func validateDomain(_ bytes: ArraySlice<UInt8>, originalInput input: String) throws(AddressError) -> String {
        func invalid(_ detail: String) -> AddressError {
            AddressError(input: input, reason: "domain is not valid: \(detail)")
        }
        if bytes.isEmpty { throw AddressError(input: input, reason: "domain is missing after '@'") }
        if bytes.first == UInt8(ascii: "[") {
            guard bytes.last == UInt8(ascii: "]"), bytes.count >= 2 else { throw invalid("address literal is missing its closing ']'") }
            let literal = bytes.dropFirst().dropLast()
            if isIPv4(literal) || isIPv6Literal(literal) { return String(decoding: bytes, as: UTF8.self) }
            throw invalid("address literal is not an IPv4 address or 'IPv6:' address")
        }
        if bytes.contains(where: { $0 >= 0x80 }) {
            // Internationalised: validated and sent in the ASCII (xn--) form every server accepts.
            switch IDNA.toASCII(String(decoding: bytes, as: UTF8.self)) {
            case .success(let ascii): return try validateDomain(ArraySlice(ascii.utf8), originalInput: input)
            case .failure(let error): throw invalid(error.reason)
            }
        }
        if bytes.count > maxDomainOctets { throw invalid("longer than \(maxDomainOctets) octets") }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            if label.isEmpty {
                if bytes.first == UInt8(ascii: ".") || bytes.last == UInt8(ascii: ".") {
                    throw invalid("starts or ends with '.'")
                }
                throw invalid("contains consecutive dots")
            }
            if label.count > maxLabelOctets { throw invalid("a label is longer than \(maxLabelOctets) octets") }
            if let b = label.first(where: { !(ASCIIClass.isAlpha($0) || ASCIIClass.isDigit($0) || $0 == UInt8(ascii: "-")) }) {
                if ASCIIClass.isWhitespace(b) { throw invalid("contains a space") }
                throw invalid("contains \(ASCIIClass.describe(b))")
            }
            if label.first == UInt8(ascii: "-") || label.last == UInt8(ascii: "-") {
                throw invalid("a label starts or ends with '-'")
            }
        }
        if let last = labels.last, last.allSatisfy(ASCIIClass.isDigit) {
            throw invalid("looks like a bare IP address; write it as [192.0.2.1]")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isIPv4(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(ASCIIClass.isDigit) else { return false }
            if part.count > 1 && part.first == UInt8(ascii: "0") { return false }   // no octal-looking octets
            var value = 0
            for d in part { value = value * 10 + Int(d - UInt8(ascii: "0")) }
            if value > 255 { return false }
        }
        return true
    }

    /// RFC 5321 IPv6-address-literal: "IPv6:" followed by full, compressed, or
    /// IPv4-suffixed forms.
    static func isIPv6Literal(_ bytes: ArraySlice<UInt8>) -> Bool {
        let tag = Array("IPv6:".utf8)
        guard bytes.count > tag.count,
              zip(bytes.prefix(tag.count), tag).allSatisfy({ lower($0) == lower($1) }) else { return false }
        let body = Array(bytes.dropFirst(tag.count))
        guard body.count <= 45 else { return false }

        var groupsBudget = 8
        var text = body[...]
        // An IPv4 tail takes the place of the last two groups.
        if let lastColon = text.lastIndex(of: UInt8(ascii: ":")), text[(lastColon + 1)...].contains(UInt8(ascii: ".")) {
            guard isIPv4(text[(lastColon + 1)...]) else { return false }
            groupsBudget = 6
            // Keep the colon so "::1.2.3.4" still reads as a compressed form.
            text = text[...lastColon]
            if text.count >= 2, text.suffix(2).elementsEqual([UInt8(ascii: ":"), UInt8(ascii: ":")]) {
                // "...::" before the IPv4 tail; leave it for the compression logic below.
            } else {
                text = text.dropLast()
            }
        }
        func validGroups(_ s: ArraySlice<UInt8>) -> Int? {
            if s.isEmpty { return 0 }
            let groups = s.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            for g in groups {
                guard (1...4).contains(g.count), g.allSatisfy(ASCIIClass.isHexDigit) else { return nil }
            }
            return groups.count
        }
        let doubleColon: [UInt8] = [UInt8(ascii: ":"), UInt8(ascii: ":")]
        let arr = Array(text)
        var compressionAt: Int?
        if arr.count >= 2 {
            for i in 0..<(arr.count - 1) where arr[i] == doubleColon[0] && arr[i + 1] == doubleColon[1] {
                if compressionAt != nil { return false }
                compressionAt = i
            }
        }
        if let c = compressionAt {
            guard let left = validGroups(arr[..<c]), let right = validGroups(arr[(c + 2)...]) else { return false }
            return left + right <= groupsBudget - 1
        }
        guard let count = validGroups(arr[...]) else { return false }
        return count == groupsBudget
    }

    private static func lower(_ b: UInt8) -> UInt8 {
        (b >= 0x41 && b <= 0x5A) ? b + 0x20 : b
    }

    static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var start = 0
        var end = bytes.count
        while start < end, ASCIIClass.isWhitespace(bytes[start]) { start += 1 }
        while end > start, ASCIIClass.isWhitespace(bytes[end - 1]) { end -= 1 }
        return Array(bytes[start..<end])
    }
}
