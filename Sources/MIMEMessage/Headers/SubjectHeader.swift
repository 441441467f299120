/// The wire form of the Subject header.
enum SubjectHeader {
    static let name = "Subject"

    static func value(for subject: String) throws(MessageError) -> String {
        if let reason = InjectionGuard.forbiddenCharacterReason(in: subject) {
            throw MessageError(field: name, reason: reason)
        }
        let firstWidth = HeaderFolding.maxLineLength - (name.utf8.count + 2)
        if EncodedWord.isRequired(for: subject) || !foldsWithinLimit(subject) {
            return EncodedWord.encode(subject, firstWordMaxLength: firstWidth).joined(separator: " ")
        }
        return subject
    }

    /// Plain ASCII can only be folded at whitespace; when that cannot keep every line
    /// within 78 characters (a long URL or token, a long run of spaces) the subject is
    /// sent as encoded-words instead, which may be split anywhere.
    private static func foldsWithinLimit(_ subject: String) -> Bool {
        HeaderFolding.fold(name: name, value: subject).utf8
            .split(separator: 0x0A)
            .allSatisfy { $0.count <= HeaderFolding.maxLineLength + 1 }   // +1 for the CR
    }
}
