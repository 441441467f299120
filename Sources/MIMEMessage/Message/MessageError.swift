/// Why a message could not be serialised; `field` names the header or part at fault
/// ("Subject", "To", "Message-ID", ...) so API callers can point at their input.
public struct MessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "invalid \(field): \(reason)" }
}
