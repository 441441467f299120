/// Why a string could not be accepted as an email address.
///
/// `reason` is written for humans (it ends up in API error responses and logs),
/// so it names the offending part rather than quoting grammar rules.
public struct AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public let input: String
    public let reason: String

    public init(input: String, reason: String) {
        self.input = input
        self.reason = reason
    }

    public var description: String {
        // debugDescription escapes control characters, so a rejected CR/LF cannot
        // forge extra lines in whatever log this message lands in.
        "invalid email address \(input.debugDescription): \(reason)"
    }
}
