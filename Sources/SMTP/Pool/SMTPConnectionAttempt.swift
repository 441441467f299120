import Foundation

/// How the last attempt of a pool to open a session went, so a readiness report can say whether
/// the provider was reachable, since when and why not, without probing it on every request.
public struct SMTPConnectionAttempt: Sendable {
    /// When the attempt ended.
    public let finishedAt: Date
    public let duration: Duration
    /// Nil when the session was established.
    public let error: SMTPError?

    public var succeeded: Bool { error == nil }

    public init(finishedAt: Date, duration: Duration, error: SMTPError?) {
        self.finishedAt = finishedAt
        self.duration = duration
        self.error = error
    }
}
