import Foundation
import SMTP

/// How one delivery attempt ended.
public enum DeliveryOutcome: Sendable {
    case sent(SMTPDeliveryReceipt)
    /// Will not be sent: a permanent error, or the retry policy gave up.
    case failed(SMTPError)
    /// A transient error: the outbox tries again at `nextAttempt`.
    case deferred(SMTPError, nextAttempt: Date)
}
