/// The wire form of the Subject header.
enum SubjectHeader {
    static let name = "Subject"

    static func value(for subject: String) throws(MessageError) -> String {
        if let reason = InjectionGuard.forbiddenCharacterReason(in: subject) {
            throw MessageError(field: name, reason: reason)
        }
        let firstWidth = HeaderFolding.maxLineLength - (name.utf8.count + 2)
        if EncodedWord.isRequired(for: subject) || !isFoldable(subject, firstWidth: firstWidth) {
            return EncodedWord.encode(subject, firstWordMaxLength: firstWidth).joined(separator: " ")
        }
        return subject
    }

    /// Plain ASCII can only be folded at whitespace; a word too long for one line
    /// (a URL, a token) is sent as encoded-words instead, which may be split anywhere.
    private static func isFoldable(_ subject: String, firstWidth: Int) -> Bool {
        var first = true
        for word in subject.utf8.split(whereSeparator: ASCIIClass.isWhitespace) {
            // Continuation lines start with the fold's whitespace, hence the 1.
            if word.count > (first ? firstWidth : HeaderFolding.maxLineLength - 1) { return false }
            first = false
        }
        return true
    }
}
