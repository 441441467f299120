/// The ESMTP parameters of MAIL FROM for one message on one server, or why the message cannot go
/// to that server at all. Decided before anything is sent, so a refusal costs no round trip and
/// leaves the session clean for the next message.
enum MailParameters {
    static func make(for mail: SMTPMail, capabilities: ServerCapabilities, configuration: SMTPClientConfiguration) -> Result<[String], SMTPError> {
        guard !mail.recipients.isEmpty else { return .failure(.noRecipients()) }

        let international = mail.internationalAddresses
        if !international.isEmpty, !capabilities.smtpUTF8 {
            return .failure(.smtpUTF8Unsupported(configuration, addresses: international))
        }

        let size = mail.wireSize
        if let limit = capabilities.maximumSize, size > limit {
            return .failure(.messageTooLarge(size: size, limit: limit))
        }

        var parameters: [String] = []
        // RFC 1870: the declared size lets the server refuse a too-large message before it is sent.
        if capabilities.size { parameters.append("SIZE=\(size)") }
        // RFC 6152. Without 8BITMIME the content goes as it is: refusing would break legacy relays
        // that pass 8-bit text anyway, and MIMEMessage already writes 7-bit bodies and headers.
        if mail.hasEightBitContent, capabilities.eightBitMIME { parameters.append("BODY=8BITMIME") }
        if !international.isEmpty { parameters.append("SMTPUTF8") }
        return .success(parameters)
    }
}
