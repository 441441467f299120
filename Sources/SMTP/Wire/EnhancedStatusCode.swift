/// An RFC 3463 enhanced status code such as 5.1.1 ("bad destination mailbox address").
///
/// Servers that announce ENHANCEDSTATUSCODES (RFC 2034) put one at the start of every reply
/// line; many others do it anyway. It says more than the three-digit code: 5.1.1 and 5.7.1
/// are both 550, but one is a typo in an address and the other a policy refusal.
public struct EnhancedStatusCode: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    public let statusClass: Int
    /// 0-999: what the code is about (1 addressing, 2 mailbox, 3 mail system, 4 network, 5 protocol, 6 content, 7 security).
    public let subject: Int
    /// 0-999: the detail within the subject.
    public let detail: Int

    public init?(statusClass: Int, subject: Int, detail: Int) {
        guard [2, 4, 5].contains(statusClass), (0...999).contains(subject), (0...999).contains(detail) else { return nil }
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    /// Parses "5.1.1"; nil for anything else ("5.1", "5.1.1.", "x.1.1", more than three digits).
    public init?(_ text: Substring) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }),
              parts[0].count == 1,
              let statusClass = Int(parts[0]), let subject = Int(parts[1]), let detail = Int(parts[2])
        else { return nil }
        self.init(statusClass: statusClass, subject: subject, detail: detail)
    }

    /// The code at the start of a reply's text, when it belongs to the reply: its class must be the
    /// first digit of the reply code (RFC 3463 §2), so "250 5.1.1 ..." is not taken as a failure.
    /// Exchange writes "#5.1.1"; the "#" is accepted.
    public init?(replyCode: Int, text: String) {
        var word = text.prefix { $0 != " " }
        if word.first == "#" { word = word.dropFirst() }
        guard let code = EnhancedStatusCode(word), code.statusClass == replyCode / 100 else { return nil }
        self = code
    }

    public var isTransient: Bool { statusClass == 4 }
    public var isPermanent: Bool { statusClass == 5 }

    public var description: String { "\(statusClass).\(subject).\(detail)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let code = EnhancedStatusCode(Substring(text)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an enhanced status code: \(text)"))
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
