import Foundation

/// What to do after a failed attempt.
public enum RetryDecision: Sendable, Equatable {
    /// Try again at this time (record the email as deferred until then).
    case retry(at: Date)
    /// Stop and record the email as failed.
    case giveUp(GiveUpReason)
}

/// Why the retry policy stopped trying, in words for the attempt's record.
public enum GiveUpReason: Sendable, Equatable, CustomStringConvertible {
    /// The error was not transient (a 5xx reply, a rejected recipient): retrying cannot help.
    case permanentError
    case attemptsExhausted(attempts: Int, maximum: Int)
    /// The email has waited past the policy's maximum age.
    case tooOld(age: Duration, maximum: Duration)

    public var description: String {
        switch self {
        case .permanentError:
            "the error is permanent"
        case .attemptsExhausted(let attempts, let maximum):
            "gave up after \(attempts) attempts (at most \(maximum))"
        case .tooOld(let age, let maximum):
            "gave up after \(Int(age.components.seconds)) s in the queue (at most \(Int(maximum.components.seconds)) s)"
        }
    }
}
