/// The wire form of address headers (From, To).
enum MailboxHeader {
    /// `name` is needed to size the first encoded-word so it fits on the first line.
    static func value(for mailboxes: [EmailAddress], headerName name: String) -> String {
        var parts: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            guard let displayName = mailbox.displayName else {
                parts.append(mailbox.address)
                continue
            }
            let firstWidth = index == 0
                ? HeaderFolding.maxLineLength - (name.utf8.count + 2)
                : EncodedWord.maxLength
            parts.append("\(DisplayNameFormatter.wirePhrase(displayName, firstWordMaxLength: firstWidth)) <\(mailbox.address)>")
        }
        return parts.joined(separator: ", ")
    }
}
