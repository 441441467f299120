import Synchronization

/// Spaces messages evenly at `messagesPerSecond` across every session of a pool, so that a burst
/// of sign-ups does not trip a provider's sending limit (SES, Mailgun and Gmail answer an excess
/// with 421/454, and some suspend the account).
final class SMTPRateLimiter: Sendable {
    private let interval: Duration
    private let nextSlot = Mutex<ContinuousClock.Instant?>(nil)

    init(messagesPerSecond: Double) {
        interval = .nanoseconds(Int64((1_000_000_000 / messagesPerSecond).rounded()))
    }

    /// Reserves the next free slot and sleeps until it comes. Throws only when the task is cancelled.
    func waitForTurn() async throws {
        let now = ContinuousClock.now
        let slot = nextSlot.withLock { next in
            let slot = max(now, next ?? now)
            next = slot + interval
            return slot
        }
        if slot > now {
            try await Task.sleep(until: slot, clock: .continuous)
        }
    }
}
