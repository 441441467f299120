/// The wire form of the Subject header.
enum SubjectHeader {
    static let name = "Subject"

    static func value(for subject: String) throws(MessageError) -> String {
        if let reason = InjectionGuard.forbiddenCharacterReason(in: subject) {
            throw MessageError(field: name, reason: reason)
        }
        let firstWidth = HeaderFolding.maxLineLength - (name.utf8.count + 2)
        if EncodedWord.isRequired(for: subject) || hasOuterWhitespace(subject) || !foldsWithinLimit(subject) {
            return EncodedWord.encode(subject, firstWordMaxLength: firstWidth).joined(separator: " ")
        }
        return subject
    }

    /// Readers strip whitespace after the colon and relays may strip it at line ends;
    /// inside an encoded-word it survives, so a subject round-trips exactly.
    private static func hasOuterWhitespace(_ subject: String) -> Bool {
        guard let first = subject.utf8.first, let last = subject.utf8.last else { return false }
        return ASCIIClass.isWhitespace(first) || ASCIIClass.isWhitespace(last)
    }

    /// Plain ASCII can only be folded at whitespace; when that cannot keep every line
    /// within 78 characters (a long URL or token, a long run of spaces) the subject is
    /// sent as encoded-words instead, which may be split anywhere.
    private static func foldsWithinLimit(_ subject: String) -> Bool {
        var folded: [UInt8] = []
        HeaderFolding.append(name: name, value: subject, to: &folded)
        var lineLength = 0
        for b in folded {
            lineLength = b == 0x0A ? 0 : lineLength + 1
            if lineLength > HeaderFolding.maxLineLength + 1 { return false }   // +1 for the CR
        }
        return true
    }
}
