import Foundation

/// A transactional email: one sender, one or more recipients, a text body and an
/// optional HTML alternative.
public struct MailMessage: Sendable {
    public var from: EmailAddress
    public var to: [EmailAddress]
    public var subject: String
    public var textBody: String
    public var htmlBody: String?
    public var date: Date
    /// Without angle brackets: `random@domain`.
    public var messageID: String
    /// A language tag such as `de` or `pt-BR` for `Content-Language` (RFC 3282), which lets
    /// mail clients offer translation and pick a voice for screen readers.
    public var language: String?

    /// When `messageID` is nil a random one is generated on the sender's domain, so
    /// replies and bounces can be correlated. A given id may include one pair of `<>`.
    public init(
        from: EmailAddress,
        to: [EmailAddress],
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        date: Date = Date(),
        messageID: String? = nil
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.date = date
        self.messageID = messageID.map(MessageID.stripBrackets) ?? MessageID.generate(domain: from.domain)
    }

    /// The addresses for `RCPT TO`, in order, without duplicates removed (that is the
    /// SMTP layer's policy to decide).
    public var envelopeRecipients: [String] { to.map(\.address) }

    /// The complete RFC 5322 message as 7-bit ASCII with CRLF line endings only.
    /// No dot-stuffing: the SMTP layer does that when it transmits the DATA.
    public func serialized() throws(MessageError) -> [UInt8] {
        try serialized(boundaryGenerator: MIMEBoundary.random)
    }

    /// Tests inject a boundary generator to prove collisions are detected.
    func serialized(boundaryGenerator: () -> String) throws(MessageError) -> [UInt8] {
        if to.isEmpty { throw MessageError(field: "To", reason: "at least one recipient is required") }
        guard let dateText = RFC5322Date.format(date) else {
            throw MessageError(field: "Date", reason: "must be a year between \(RFC5322Date.supportedYears.lowerBound) and \(RFC5322Date.supportedYears.upperBound)")
        }
        if let reason = MessageID.problem(with: messageID) {
            throw MessageError(field: "Message-ID", reason: reason)
        }
        let subjectValue = try SubjectHeader.value(for: subject)
        if let language, language.isEmpty || language.count > 35
            || !language.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }) {
            throw MessageError(field: "Content-Language", reason: "must be a language tag such as de or pt-BR")
        }

        var headers: [(String, String)] = [
            ("From", MailboxHeader.value(for: [from], headerName: "From")),
            ("To", MailboxHeader.value(for: to, headerName: "To")),
            (SubjectHeader.name, subjectValue),
            ("Date", dateText),
            ("Message-ID", "<\(messageID)>"),
            ("MIME-Version", "1.0"),
        ]
        if let language { headers.append(("Content-Language", language)) }

        let textPart = TextPart(mediaType: "text/plain", text: textBody)
        var body: String
        if let htmlBody {
            let htmlPart = TextPart(mediaType: "text/html", text: htmlBody)
            let boundary = try chooseBoundary(for: [textPart, htmlPart], generator: boundaryGenerator)
            headers.append(("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""))
            // The CRLF before each delimiter belongs to the delimiter (RFC 2046 5.1.1),
            // so a part's content ends exactly where its text ends.
            body = "--\(boundary)\r\n" + textPart.rendered()
                + "\r\n--\(boundary)\r\n" + htmlPart.rendered()
                + "\r\n--\(boundary)--\r\n"
        } else {
            headers += textPart.headers
            body = textPart.encodedBody
            // The message must end with a line break before SMTP's terminating ".".
            if !body.isEmpty && !body.hasSuffix("\r\n") { body += "\r\n" }
        }

        var message = ""
        for (name, value) in headers {
            message += HeaderFolding.fold(name: name, value: value) + "\r\n"
        }
        message += "\r\n" + body
        return Array(message.utf8)
    }

    private func chooseBoundary(for parts: [TextPart], generator: () -> String) throws(MessageError) -> String {
        let bodies = parts.map(\.encodedBody)
        for _ in 0..<MIMEBoundary.maxAttempts {
            let candidate = generator()
            if MIMEBoundary.isUsable(candidate, with: bodies) { return candidate }
        }
        throw MessageError(field: "Content-Type", reason: "could not find a MIME boundary absent from the body")
    }
}
