/// One complete server reply: a three-digit code and its text lines (multi-line replies joined in order).
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    public let lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// 2xx and 3xx: the command was accepted (3xx asks for more input).
    public var isPositive: Bool { (200..<400).contains(code) }
    /// 4xx: the server may accept the same command later.
    public var isTransient: Bool { (400..<500).contains(code) }
    public var isPermanent: Bool { code >= 500 }

    /// The RFC 3463 enhanced status code ("5.1.1") when the text starts with one of the reply's class.
    public var enhancedStatusCode: EnhancedStatusCode? {
        lines.first.flatMap { EnhancedStatusCode(replyCode: code, text: $0) }
    }

    /// The reply as one line, as people quote it: "550 5.1.1 user unknown".
    public var message: String { lines.joined(separator: " ") }

    public var description: String { lines.isEmpty ? "\(code)" : "\(code) \(message)" }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
