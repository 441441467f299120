import MustacheRenderer

/// The variables every template sees: the request's data plus the service's own.
enum TemplateVariables {
    /// Built-in variables win over the caller's: links and branding stay the service's own.
    static func make(_ configuration: MailerConfiguration, recipient: String, data: [String: JSONValue]) -> MustacheValue {
        var variables = data.mapValues(\.mustacheValue)
        variables["baseUrl"] = .string(configuration.baseURL)
        variables["productName"] = .string(configuration.productName)
        variables["to"] = .string(recipient)
        variables["email"] = .string(recipient)
        return .object(variables)
    }
}
