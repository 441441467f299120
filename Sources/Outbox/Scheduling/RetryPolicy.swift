import Foundation

/// When to try a failed email again: exponential backoff with jitter, bounded in attempts and age.
///
/// A pure value: the same attempt, times and random numbers give the same decision.
public struct RetryPolicy: Sendable {
    /// How the delay is spread so that emails deferred together (an SMTP outage) do not all come
    /// back at the same instant.
    public enum Jitter: Sendable, Equatable {
        /// Exactly the exponential delay.
        case none
        /// Anywhere from zero to the delay: spreads load best.
        case full
        /// Half the delay plus up to the other half: never retries much sooner than planned.
        case equal
    }

    /// Delay after the first failed attempt; doubled after each further one.
    public var baseDelay: Duration
    /// The delay never grows beyond this.
    public var maximumDelay: Duration
    /// Attempts in all, the first one included.
    public var maximumAttempts: Int
    /// No attempt starts later than this after the email was accepted.
    public var maximumAge: Duration
    public var jitter: Jitter
    /// A number in 0..<1; injectable so tests can pin the jitter.
    public var random: @Sendable () -> Double

    public init(
        baseDelay: Duration = .seconds(30),
        maximumDelay: Duration = .seconds(60 * 60),
        maximumAttempts: Int = 10,
        maximumAge: Duration = .seconds(24 * 60 * 60),
        jitter: Jitter = .full,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumAttempts = maximumAttempts
        self.maximumAge = maximumAge
        self.jitter = jitter
        self.random = random
    }

    /// The delay before attempt `attempt + 1` before jitter: base × 2^(attempt−1), capped.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        let base = seconds(baseDelay)
        let cap = seconds(maximumDelay)
        // Past 2^62 the product would overflow long after it passed any sane cap.
        let exponent = min(max(attempt - 1, 0), 62)
        let delay = min(base * pow(2, Double(exponent)), cap)
        return .milliseconds(Int64((delay * 1000).rounded()))
    }

    /// Decides after attempt number `attempt` (1 for the first) failed.
    ///
    /// `transient` is false for errors that no retry can fix. A retry that would fall after the
    /// maximum age is moved to that deadline, so the last chance is not lost to the rounding of
    /// the backoff; once the deadline has passed, the policy gives up.
    public func decision(afterAttempt attempt: Int, firstQueuedAt: Date, now: Date, transient: Bool) -> RetryDecision {
        guard transient else { return .giveUp(.permanentError) }
        if attempt >= maximumAttempts {
            return .giveUp(.attemptsExhausted(attempts: attempt, maximum: maximumAttempts))
        }
        let deadline = firstQueuedAt.addingTimeInterval(seconds(maximumAge))
        if now >= deadline {
            let age = now.timeIntervalSince(firstQueuedAt)
            return .giveUp(.tooOld(age: .milliseconds(Int64((age * 1000).rounded())), maximum: maximumAge))
        }
        let delay = seconds(backoff(afterAttempt: attempt))
        let jittered: Double
        switch jitter {
        case .none: jittered = delay
        case .full: jittered = delay * unit()
        case .equal: jittered = delay / 2 + delay / 2 * unit()
        }
        return .retry(at: min(now.addingTimeInterval(jittered), deadline))
    }

    /// The random source, held to 0…1 so a careless injected source cannot schedule into the past.
    private func unit() -> Double {
        min(max(random(), 0), 1)
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
