import Foundation
import MIMEMessage

/// A validated request: who gets which template with what data. Every failure names the field.
struct EmailRequest: Sendable {
    /// Names are shown in subjects and bodies: long enough for real names, too short for a phishing text.
    static let maximumNameLength = 100

    let template: String
    let recipients: [EmailAddress]
    /// Request-specific template variables (code, link, the caller's `data`, ...).
    let data: [String: JSONValue]
    /// The language the recipient reads; the catalog falls back to shorter tags and the default.
    let locale: LocaleTag?
    let cc: [EmailAddress]
    let bcc: [EmailAddress]
    let replyTo: [EmailAddress]
    let headers: [CustomHeader]
    let attachments: [Attachment]

    /// `configuration` gives the limits: MAILER_MAX_RECIPIENTS, MAILER_LINK_HOSTS, MAILER_BASE_URL.
    init(kind: EmailKind, body: JSONValue, configuration: MailerConfiguration) throws(Problem) {
        guard case .object(let fields) = body else {
            throw Problem(status: .badRequest, code: "EVALIDATION", title: "Invalid request",
                          detail: "the body must be a JSON object, got \(body.typeName)")
        }
        // The list is built once, and the names sorted only to name the first unknown one.
        let allowedFields = kind.allowedFields
        if fields.keys.contains(where: { !allowedFields.contains($0) }) {
            for name in fields.keys.sorted() where !allowedFields.contains(name) {
                throw UnknownField.problem(name, field: name, accepted: allowedFields,
                                           otherwise: "this endpoint accepts \(allowedFields.joined(separator: ", "))")
            }
        }
        let baseURL = configuration.baseURL
        // Parsing MAILER_BASE_URL (for its host) costs more than the rest of a verification request:
        // only the kinds that check links build the policy.
        var links: LinkPolicy { LinkPolicy(hosts: configuration.linkHosts, baseURL: baseURL) }
        let maximumRecipients = configuration.maximumRecipients
        recipients = try Self.addresses(fields["to"], field: "to", required: true, maximum: maximumRecipients)
        cc = try Self.addresses(fields["cc"], field: "cc", required: false, maximum: maximumRecipients)
        bcc = try Self.addresses(fields["bcc"], field: "bcc", required: false, maximum: maximumRecipients)
        replyTo = try Self.addresses(fields["replyTo"], field: "replyTo", required: false, maximum: maximumRecipients)
        // Only envelope addresses make the SMTP client ask for SMTPUTF8; a UTF-8 Reply-To alone
        // would reach servers that cannot carry it.
        if let international = replyTo.first(where: \.isInternational) {
            throw Problem.validation("replyTo", "'replyTo' \(international.address) has a non-ASCII local part, which is not supported for Reply-To; use an ASCII address")
        }
        if recipients.count + cc.count + bcc.count > maximumRecipients {
            let field = !bcc.isEmpty ? "bcc" : !cc.isEmpty ? "cc" : "to"
            throw Problem.validation(field, "to, cc and bcc name \(recipients.count + cc.count + bcc.count) addresses; at most \(maximumRecipients) in all (MAILER_MAX_RECIPIENTS): send several requests")
        }
        headers = try Self.headers(fields["headers"])
        attachments = try Self.attachments(fields["attachments"])
        locale = try Self.locale(fields["locale"])
        let email = recipients[0].address
        // Reset and invitation links carry one person's address and code: a second recipient
        // would receive the first one's link. One request per person.
        if kind == .passwordReset || kind == .invitation, recipients.count > 1 {
            throw Problem.validation("to", "'to' must name one recipient for \(kind.fixedTemplate!): its link is personal; send one request per recipient")
        }

        switch kind {
        case .verification:
            template = "verification"
            data = ["code": .string(try Self.requiredText(fields, "code"))]
        case .passwordReset:
            template = "password-reset"
            data = try Self.linkData(fields, urlField: "resetUrl", path: "/link/reset-password", baseURL: baseURL, email: email, links: links)
        case .invitation:
            template = "invitation"
            var data = try Self.linkData(fields, urlField: "inviteUrl", path: "/link/user-invitation", baseURL: baseURL, email: email, links: links)
            // Optional, so present as null when absent: strict rendering then sees them as
            // known-but-empty rather than missing.
            for name in ["inviterName", "organizationName"] {
                let value = try Self.optionalText(fields, name)
                if let value { try Self.checkName(value, field: name) }
                data[name] = value.map { .string($0) } ?? .null
            }
            self.data = data
        case .generic:
            guard case .string(let name)? = fields["template"], !name.isEmpty else {
                throw Problem.validation("template", fields["template"] == nil
                    ? "'template' is required: the name of a template in the templates folder, e.g. \"verification\""
                    : "'template' must be a non-empty string")
            }
            template = name
            switch fields["data"] {
            case nil, .null?: data = [:]
            case .object(let members)?:
                // Link variables land in href attributes: only web links, whoever supplies them.
                let linkPolicy = Self.linkVariables.contains { members[$0] != nil } ? links : nil
                for name in Self.linkVariables {
                    guard let value = members[name] else { continue }
                    guard case .string(let text) = value else {
                        throw Problem.validation("data.\(name)", "'data.\(name)' must be an absolute http(s) URL, got \(value.typeName)")
                    }
                    try linkPolicy?.check(text, field: "data.\(name)")
                }
                data = members
            case let other?: throw Problem.validation("data", "'data' must be a JSON object of template variables, got \(other.typeName)")
            }
        }
    }

    /// `code` builds the link to the web app; a caller that has its own link passes it instead.
    private static func linkData(_ fields: [String: JSONValue], urlField: String, path: String, baseURL: String, email: String, links: LinkPolicy) throws(Problem) -> [String: JSONValue] {
        let code = try optionalText(fields, "code")
        if let given = try optionalText(fields, urlField) {
            try links.check(given, field: urlField)
            var data: [String: JSONValue] = ["link": .string(given), urlField: .string(given)]
            if let code { data["code"] = .string(code) }
            return data
        }
        guard let code else {
            throw Problem.validation("code", "'code' or '\(urlField)' is required")
        }
        let link = "\(baseURL)\(path)?code=\(percentEncoded(code))&email=\(percentEncoded(email))"
        return ["code": .string(code), "link": .string(link), urlField: .string(link)]
    }

    static let linkVariables = ["link", "resetUrl", "inviteUrl"]

    /// inviterName and organizationName are shown as text in the subject and body: one line of a
    /// real name, never a link a recipient would take for the service's own ("Acme www.evil.example").
    static func checkName(_ value: String, field: String) throws(Problem) {
        if value.count > maximumNameLength {
            throw Problem.validation(field, "'\(field)' is longer than \(maximumNameLength) characters")
        }
        if let bad = value.unicodeScalars.first(where: isHiddenOrBreaking) {
            throw Problem.validation(field, "'\(field)' contains a control character or line break (U+\(String(bad.value, radix: 16, uppercase: true))); send the name as one line of text")
        }
        let lowered = value.lowercased()
        if let marker = ["://", "www."].first(where: lowered.contains) {
            throw Problem.validation(field, "'\(field)' looks like a link (it contains \"\(marker)\"); a name is shown as text and must not be a web address: send the name alone")
        }
    }

    /// Control characters, line and paragraph separators, and the bidirectional overrides that
    /// make text read differently from what it is.
    private static func isHiddenOrBreaking(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
        }
    }

    private static func addresses(_ value: JSONValue?, field: String, required: Bool, maximum maximumRecipients: Int) throws(Problem) -> [EmailAddress] {
        let texts: [(field: String, text: String)]
        switch value {
        case nil, .null?:
            guard !required else { throw Problem.validation(field, "'\(field)' is required: an email address or an array of them") }
            return []
        case .string(let text)?:
            texts = [(field, text)]
        case .array(let items)?:
            guard !items.isEmpty || !required else { throw Problem.validation(field, "'\(field)' must name at least one address") }
            guard items.count <= maximumRecipients else {
                throw Problem.validation(field, "'\(field)' has \(items.count) addresses; at most \(maximumRecipients) are accepted (MAILER_MAX_RECIPIENTS)")
            }
            var collected: [(String, String)] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw Problem.validation("\(field)[\(index)]", "'\(field)[\(index)]' must be a string, got \(item.typeName)")
                }
                collected.append(("\(field)[\(index)]", text))
            }
            texts = collected
        case let other?:
            throw Problem.validation(field, "'\(field)' must be an email address or an array of them, got \(other.typeName)")
        }
        var addresses: [EmailAddress] = []
        for (field, text) in texts {
            do {
                addresses.append(try EmailAddress(parsing: text))
            } catch {
                throw Problem.validation(field, "'\(field)' is not a valid email address (\(error.reason)): \"\(text.prefix(100))\"")
            }
        }
        return addresses
    }

    /// `{"List-Unsubscribe": "<https://...>", "X-Campaign": "spring"}`; names and values are
    /// checked against the allow-list and for line breaks when the message is built.
    private static func headers(_ value: JSONValue?) throws(Problem) -> [CustomHeader] {
        switch value {
        case nil, .null?: return []
        case .object(let members)?:
            guard members.count <= 20 else { throw Problem.validation("headers", "'headers' has \(members.count) entries; at most 20 are accepted") }
            var headers: [CustomHeader] = []
            for name in members.keys.sorted() {
                guard case .string(let text) = members[name]! else {
                    throw Problem.validation("headers.\(name)", "'headers.\(name)' must be a string, got \(members[name]!.typeName)")
                }
                headers.append(CustomHeader(name: name, value: text))
            }
            return headers
        case let other?:
            throw Problem.validation("headers", "'headers' must be an object of header names and values, got \(other.typeName)")
        }
    }

    /// `[{"filename": "invoice.pdf", "contentType": "application/pdf", "content": "<base64>"}]`,
    /// with `"contentId": "logo@example.com"` for an image the HTML shows as `cid:logo@example.com`.
    private static func attachments(_ value: JSONValue?) throws(Problem) -> [Attachment] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?:
            guard items.count <= 20 else { throw Problem.validation("attachments", "'attachments' has \(items.count) files; at most 20 are accepted") }
            var attachments: [Attachment] = []
            for (index, item) in items.enumerated() {
                let field = "attachments[\(index)]"
                guard case .object(let members) = item else {
                    throw Problem.validation(field, "'\(field)' must be an object with filename, contentType and content (base64)")
                }
                let accepted = ["filename", "contentType", "content", "contentId"]
                for name in members.keys.sorted() where !accepted.contains(name) {
                    throw UnknownField.problem(name, field: "\(field).\(name)", accepted: accepted,
                                               otherwise: "an attachment has filename, contentType, content and optionally contentId")
                }
                guard case .string(let filename)? = members["filename"] else {
                    throw Problem.validation("\(field).filename", "'\(field).filename' is required: the file name the recipient sees")
                }
                guard case .string(let contentType)? = members["contentType"] else {
                    throw Problem.validation("\(field).contentType", "'\(field).contentType' is required, e.g. \"application/pdf\"")
                }
                guard case .string(let content)? = members["content"],
                      let data = Data(base64Encoded: content, options: .ignoreUnknownCharacters) else {
                    throw Problem.validation("\(field).content", "'\(field).content' must be the file's bytes in base64")
                }
                var contentID: String?
                switch members["contentId"] {
                case nil, .null?: break
                case .string(let text)?: contentID = text.hasPrefix("<") && text.hasSuffix(">") ? String(text.dropFirst().dropLast()) : text
                case let other?: throw Problem.validation("\(field).contentId", "'\(field).contentId' must be a string, got \(other.typeName)")
                }
                attachments.append(Attachment(filename: filename, contentType: contentType, data: Array(data), contentID: contentID))
            }
            return attachments
        case let other?:
            throw Problem.validation("attachments", "'attachments' must be an array of files, got \(other.typeName)")
        }
    }

    static func locale(_ value: JSONValue?) throws(Problem) -> LocaleTag? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?:
            guard let tag = LocaleTag(text) else {
                throw Problem.validation("locale", "'locale' must be \(LocaleTag.example), got \"\(text.prefix(40))\"")
            }
            return tag
        case let other?: throw Problem.validation("locale", "'locale' must be a string such as \"de\", got \(other.typeName)")
        }
    }

    private static func requiredText(_ fields: [String: JSONValue], _ name: String) throws(Problem) -> String {
        guard let value = try optionalText(fields, name) else {
            throw Problem.validation(name, "'\(name)' is required")
        }
        return value
    }

    /// Codes often arrive as numbers from loosely typed callers; both forms mean the same code.
    private static func optionalText(_ fields: [String: JSONValue], _ name: String) throws(Problem) -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let text)?:
            guard !text.isEmpty else { throw Problem.validation(name, "'\(name)' must not be empty") }
            guard text.count <= 2048 else { throw Problem.validation(name, "'\(name)' is longer than 2048 characters") }
            return text
        case .int(let number)?: return String(number)
        case let other?: throw Problem.validation(name, "'\(name)' must be a string, got \(other.typeName)")
        }
    }

    /// RFC 3986 unreserved characters stay; everything else is percent-encoded, so a code or
    /// address can never add query parameters or break out of the link.
    static func percentEncoded(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
