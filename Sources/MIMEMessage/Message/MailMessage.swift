import Foundation

/// A transactional email: one sender, one or more recipients, a text body and an
/// optional HTML alternative.
public struct MailMessage: Sendable {
    public var from: EmailAddress
    public var to: [EmailAddress]
    public var cc: [EmailAddress] = []
    /// Envelope only: never written into a header, so recipients cannot see each other.
    public var bcc: [EmailAddress] = []
    public var replyTo: [EmailAddress] = []
    /// Caller-supplied headers from an allow-list (`X-*`, List-Unsubscribe, References...).
    public var headers: [CustomHeader] = []
    /// Downloads, and images the HTML shows inline through `cid:`.
    public var attachments: [Attachment] = []
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
    public var envelopeRecipients: [String] { (to + cc + bcc).map(\.address) }

    /// The complete RFC 5322 message with CRLF line endings only: 7-bit ASCII, except for
    /// addresses with a non-ASCII local part, which RFC 6532 lets headers carry in UTF-8.
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
        ]
        if !cc.isEmpty { headers.append(("Cc", MailboxHeader.value(for: cc, headerName: "Cc"))) }
        if !replyTo.isEmpty { headers.append(("Reply-To", MailboxHeader.value(for: replyTo, headerName: "Reply-To"))) }
        headers += [
            (SubjectHeader.name, subjectValue),
            ("Date", dateText),
            ("Message-ID", "<\(messageID)>"),
            ("MIME-Version", "1.0"),
        ]
        if let language { headers.append(("Content-Language", language)) }
        var seen = Set<String>()
        for header in self.headers {
            let value = try header.wireValue()
            // Repeating List-Unsubscribe or In-Reply-To confuses clients; X-* may repeat.
            if !header.name.lowercased().hasPrefix("x-"), !seen.insert(header.name.lowercased()).inserted {
                throw MessageError(field: "headers.\(header.name)", reason: "is given twice")
            }
            headers.append((header.name, value))
        }
        for attachment in attachments {
            if let problem = attachment.problem() { throw problem }
        }

        let (contentHeaders, body) = try bodyPart().rendered(boundaryGenerator: boundaryGenerator)
        headers += contentHeaders
        var message: [UInt8] = []
        message.reserveCapacity(body.count + 1024)
        for (name, value) in headers {
            HeaderFolding.append(name: name, value: value, to: &message)
            message.append(contentsOf: LineEndings.crlf)
        }
        message.append(contentsOf: LineEndings.crlf)
        message.append(contentsOf: body)
        // The message must end with a line break before SMTP's terminating ".".
        if !body.isEmpty && !body.suffix(2).elementsEqual(LineEndings.crlf) { message.append(contentsOf: LineEndings.crlf) }
        return message
    }

    /// text, or text + HTML as alternatives; inline images beside the HTML in multipart/related;
    /// downloads beside all of that in multipart/mixed (RFC 2046, RFC 2387).
    private func bodyPart() -> MIMEPart {
        let text = TextPart(mediaType: "text/plain", text: textBody)
        var content: MIMEPart = .leaf(headers: text.headers, body: text.encodedBody)
        if let htmlBody {
            let html = TextPart(mediaType: "text/html", text: htmlBody)
            var htmlPart: MIMEPart = .leaf(headers: html.headers, body: html.encodedBody)
            let inline = attachments.filter(\.isInline)
            if !inline.isEmpty {
                htmlPart = .multipart(subtype: "related", parameters: "type=\"text/html\"", parts: [htmlPart] + inline.map(AttachmentPart.part(for:)))
            }
            content = .multipart(subtype: "alternative", parameters: "", parts: [content, htmlPart])
        }
        // Without HTML nothing refers to an inline image: it travels as a download.
        let downloads = attachments.filter { !$0.isInline || htmlBody == nil }
        guard !downloads.isEmpty else { return content }
        return .multipart(subtype: "mixed", parameters: "", parts: [content] + downloads.map(AttachmentPart.part(for:)))
    }
}
