/// An SMTP server's reply to the message, kept with the attempt for the operator.
public struct ServerReply: Sendable, Equatable {
    /// Basic reply code, such as 250 or 451.
    public var code: Int
    /// RFC 3463 enhanced status code such as "4.7.1", when the server sent one.
    public var enhancedCode: String?
    public var text: String

    public init(code: Int, enhancedCode: String? = nil, text: String) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.text = text
    }

    var summary: String {
        [String(code), enhancedCode, text.isEmpty ? nil : text].compactMap { $0 }.joined(separator: " ")
    }
}
