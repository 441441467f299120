import Foundation
import Outbox
import Testing

@Suite struct RetryPolicyTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func defaults() {
        let policy = RetryPolicy()
        #expect(policy.baseDelay == .seconds(30))
        #expect(policy.maximumDelay == .seconds(3600))
        #expect(policy.maximumAttempts == 10)
        #expect(policy.maximumAge == .seconds(86400))
        #expect(policy.jitter == .full)
    }

    @Test func delaysDoubleFromTheBaseUpToTheCap() {
        let policy = RetryPolicy()
        let delays = (1...10).map { policy.backoff(afterAttempt: $0) }
        #expect(delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600].map { Duration.seconds($0) })
        #expect(policy.backoff(afterAttempt: 10_000) == .seconds(3600))
    }

    @Test func withoutJitterTheRetryComesExactlyAfterTheDelay() {
        let policy = RetryPolicy(jitter: .none)
        #expect(policy.decision(afterAttempt: 1, firstQueuedAt: start, now: start + 5, transient: true) == .retry(at: start + 35))
        #expect(policy.decision(afterAttempt: 3, firstQueuedAt: start, now: start + 500, transient: true) == .retry(at: start + 620))
    }

    @Test func fullJitterSpreadsFromNowToTheDelay() {
        for (random, expected) in [(0.0, 0.0), (0.25, 15.0), (0.5, 30.0), (0.999, 59.94)] {
            let policy = RetryPolicy(jitter: .full, random: { random })
            guard case .retry(let at) = policy.decision(afterAttempt: 2, firstQueuedAt: start, now: start, transient: true) else {
                Issue.record("expected a retry")
                continue
            }
            #expect(abs(at.timeIntervalSince(start) - expected) < 0.001)
        }
    }

    @Test func equalJitterKeepsAtLeastHalfTheDelay() {
        for (random, expected) in [(0.0, 30.0), (0.5, 45.0), (1.0, 60.0)] {
            let policy = RetryPolicy(jitter: .equal, random: { random })
            #expect(policy.decision(afterAttempt: 2, firstQueuedAt: start, now: start, transient: true) == .retry(at: start + expected))
        }
    }

    @Test func aRandomSourceOutsideZeroToOneCannotScheduleIntoThePastOrBeyondTheDelay() {
        let low = RetryPolicy(jitter: .full, random: { -5 })
        #expect(low.decision(afterAttempt: 1, firstQueuedAt: start, now: start + 1, transient: true) == .retry(at: start + 1))
        let high = RetryPolicy(jitter: .full, random: { 7 })
        #expect(high.decision(afterAttempt: 1, firstQueuedAt: start, now: start + 1, transient: true) == .retry(at: start + 31))
    }

    @Test func permanentErrorsAreNotRetried() {
        #expect(RetryPolicy().decision(afterAttempt: 1, firstQueuedAt: start, now: start, transient: false) == .giveUp(.permanentError))
    }

    @Test func givesUpAfterTheLastAttempt() {
        let policy = RetryPolicy(maximumAttempts: 10, jitter: .none)
        #expect(policy.decision(afterAttempt: 9, firstQueuedAt: start, now: start, transient: true) == .retry(at: start + 3600))
        #expect(policy.decision(afterAttempt: 10, firstQueuedAt: start, now: start, transient: true)
            == .giveUp(.attemptsExhausted(attempts: 10, maximum: 10)))
    }

    @Test func givesUpOnceTheEmailIsTooOldAndNeverPlansBeyondThat() {
        let policy = RetryPolicy(maximumAge: .seconds(86400), jitter: .none)
        let deadline = start + 86400
        // The backoff would land an hour past the deadline: the last try happens at the deadline.
        #expect(policy.decision(afterAttempt: 9, firstQueuedAt: start, now: deadline - 10, transient: true) == .retry(at: deadline))
        #expect(policy.decision(afterAttempt: 9, firstQueuedAt: start, now: deadline, transient: true)
            == .giveUp(.tooOld(age: .seconds(86400), maximum: .seconds(86400))))
    }

    @Test func aWholeScheduleWithTheDefaultsStaysWithinTheLimits() {
        let policy = RetryPolicy(jitter: .none)
        var now = start
        var attempt = 1
        var retries: [TimeInterval] = []
        while case .retry(let at) = policy.decision(afterAttempt: attempt, firstQueuedAt: start, now: now, transient: true) {
            retries.append(at.timeIntervalSince(now))
            now = at
            attempt += 1
        }
        #expect(retries == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(attempt == 10)
        #expect(now.timeIntervalSince(start) <= 86400)
    }

    @Test func reasonsReadWell() {
        #expect(GiveUpReason.attemptsExhausted(attempts: 10, maximum: 10).description == "gave up after 10 attempts (at most 10)")
        #expect(GiveUpReason.tooOld(age: .seconds(90000), maximum: .seconds(86400)).description
            == "gave up after 90000 s in the queue (at most 86400 s)")
    }
}
