/// The endpoints that accept an email, with the request fields each one knows.
enum EmailKind: Sendable, Equatable {
    case verification
    case passwordReset
    case invitation
    /// `POST /v1/emails`: any template of the catalog with caller-supplied data.
    case generic

    var fixedTemplate: String? {
        switch self {
        case .verification: "verification"
        case .passwordReset: "password-reset"
        case .invitation: "invitation"
        case .generic: nil
        }
    }

    var allowedFields: [String] {
        switch self {
        case .verification: ["to", "code", "locale"] + Self.messageFields
        case .passwordReset: ["to", "code", "resetUrl", "locale"] + Self.personalMessageFields
        case .invitation: ["to", "code", "inviteUrl", "inviterName", "organizationName", "locale"] + Self.personalMessageFields
        case .generic: ["template", "to", "data", "locale"] + Self.messageFields
        }
    }

    /// Fields that shape the message rather than the template.
    static let messageFields = ["cc", "bcc", "replyTo", "headers", "attachments"]
    /// Reset and invitation links are personal: nobody else may get a copy.
    static let personalMessageFields = ["replyTo", "headers", "attachments"]
}
