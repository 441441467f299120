import Testing
@testable import MailerService

/// The limiter with a time the test moves: no sleeping, exact figures.
@Suite struct RateLimiterTests {
    let start = ContinuousClock.now

    @Test func aBurstUpToTheLimitPassesThenTheNextWaitsForOneInterval() {
        var limiter = RateLimiter<String>(limit: 10, period: .seconds(3600))
        for number in 1...10 {
            #expect(limiter.acquire("ada", now: start) == .allowed, "request \(number)")
        }
        // One request comes back every 3600 / 10 = 360 s.
        #expect(limiter.acquire("ada", now: start) == .limited(retryAfter: .seconds(360)))
        #expect(limiter.acquire("ada", now: start + .seconds(100)) == .limited(retryAfter: .seconds(260)))
        #expect(limiter.acquire("ada", now: start + .seconds(360)) == .allowed)
        #expect(limiter.acquire("ada", now: start + .seconds(360)) == .limited(retryAfter: .seconds(360)))
        // Other keys have their own buckets.
        #expect(limiter.acquire("bob", now: start) == .allowed)
    }

    @Test func aQuietSpellRefillsTheWholeBurstButNoMore() {
        var limiter = RateLimiter<String>(limit: 3, period: .seconds(60))
        for _ in 1...3 { #expect(limiter.acquire("k", now: start) == .allowed) }
        #expect(limiter.acquire("k", now: start + .seconds(1)) != .allowed)
        let later = start + .seconds(3600)
        for _ in 1...3 { #expect(limiter.acquire("k", now: later) == .allowed) }
        #expect(limiter.acquire("k", now: later) == .limited(retryAfter: .seconds(20)))
    }

    @Test func aRefusedRequestTakesNothing() {
        var limiter = RateLimiter<String>(limit: 2, period: .seconds(60))
        #expect(limiter.acquire("k", now: start) == .allowed)
        #expect(limiter.acquire("k", now: start) == .allowed)
        for _ in 1...100 { #expect(limiter.acquire("k", now: start) != .allowed) }
        #expect(limiter.acquire("k", now: start + .seconds(30)) == .allowed, "hammering while refused does not push the wait out")
    }

    @Test func aReleasedRequestIsGivenBack() {
        var limiter = RateLimiter<String>(limit: 2, period: .seconds(60))
        #expect(limiter.acquire("k", now: start) == .allowed)
        #expect(limiter.acquire("k", now: start) == .allowed)
        limiter.release("k", now: start)
        #expect(limiter.acquire("k", now: start) == .allowed)
        #expect(limiter.acquire("k", now: start) != .allowed)
        // Releasing down to nothing forgets the key.
        limiter.release("k", now: start)
        limiter.release("k", now: start)
        #expect(limiter.count == 0)
    }

    @Test func keysWhoseBucketIsFullAgainAreDropped() {
        var limiter = RateLimiter<Int>(limit: 5, period: .seconds(60))
        for key in 0..<1000 { _ = limiter.acquire(key, now: start) }
        #expect(limiter.count == 1000)
        // The next sweep (at most a minute later) finds every bucket full again.
        _ = limiter.acquire(-1, now: start + .seconds(61))
        #expect(limiter.count == 1)
    }

    @Test func manyDistinctKeysNeverHoldMoreThanTheCapacity() {
        var limiter = RateLimiter<Int>(limit: 10, period: .seconds(3600), capacity: 1000)
        var largest = 0
        var refused = 0
        for key in 0..<20_000 {
            if limiter.acquire(key, now: start + .milliseconds(key)) != .allowed { refused += 1 }
            largest = max(largest, limiter.count)
        }
        #expect(refused == 0)
        #expect(largest == 1000)
        // The newest keys are kept (19 999 has one request taken already), the oldest went first
        // (0 has its whole burst again).
        let end = start + .milliseconds(19_999)
        for _ in 1...9 { #expect(limiter.acquire(19_999, now: end) == .allowed) }
        #expect(limiter.acquire(19_999, now: end) != .allowed)
        for _ in 1...10 { #expect(limiter.acquire(0, now: end) == .allowed) }
    }
}
