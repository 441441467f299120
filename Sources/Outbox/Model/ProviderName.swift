/// Which configured SMTP provider an attempt went through.
///
/// A string wrapper rather than an enum so that rows written by a later build with more providers
/// still read.
public struct ProviderName: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public static let primary: ProviderName = "primary"
    public static let fallback: ProviderName = "fallback"

    public var description: String { rawValue }
}
