/// A rate limit per key by GCRA (the generic cell rate algorithm, a token bucket written as one
/// timestamp): each key keeps the time at which its bucket would be full again, so memory is one
/// instant per key whatever the limit. `limit` requests per `period` on average, and up to `limit`
/// at once after a quiet spell.
///
/// Pure: the caller passes the time, so tests move it instead of sleeping. Memory is bounded: a key
/// whose bucket is full again holds nothing worth keeping and is dropped (on a sweep at most once
/// per `sweepInterval`, and whenever the table is full); beyond `capacity` keys the ones closest to
/// full (the oldest activity) are evicted, so many distinct keys cost at most `capacity` entries.
struct RateLimiter<Key: Hashable & Sendable>: Sendable {
    typealias Instant = ContinuousClock.Instant

    enum Decision: Equatable, Sendable {
        case allowed
        /// Refused; the next request for this key goes through after this long.
        case limited(retryAfter: Duration)
    }

    let limit: Int
    let period: Duration
    let capacity: Int
    /// The time one request takes back from the bucket: `period / limit`.
    private let interval: Duration
    /// How far ahead of now a key's full-again time may run and still admit a request.
    private let tolerance: Duration
    private let sweepInterval: Duration
    private var fullAgain: [Key: Instant] = [:]
    private var lastSweep: Instant?

    init(limit: Int, period: Duration, capacity: Int = 100_000) {
        precondition(limit > 0 && capacity > 0, "a rate limiter needs a positive limit and capacity")
        self.limit = limit
        self.period = period
        self.capacity = capacity
        interval = period / limit
        tolerance = period - interval
        sweepInterval = min(period, .seconds(60))
    }

    /// How many keys are held now.
    var count: Int { fullAgain.count }

    /// Takes one request from `key`'s bucket, or says how long until one is there.
    mutating func acquire(_ key: Key, now: Instant) -> Decision {
        sweepIfDue(now: now)
        let due = max(fullAgain[key] ?? now, now)
        let earliest = due - tolerance
        if earliest > now {
            return .limited(retryAfter: earliest - now)
        }
        if fullAgain[key] == nil, fullAgain.count >= capacity { makeRoom(now: now) }
        fullAgain[key] = due + interval
        return .allowed
    }

    /// Gives back a request taken by `acquire` whose work did not happen after all (a replayed
    /// Idempotency-Key, a request refused by another limit), so it does not count.
    mutating func release(_ key: Key, now: Instant) {
        guard let due = fullAgain[key] else { return }
        let earlier = due - interval
        fullAgain[key] = earlier > now ? earlier : nil
    }

    private mutating func sweepIfDue(now: Instant) {
        if let lastSweep, now - lastSweep < sweepInterval { return }
        lastSweep = now
        dropFull(now: now)
    }

    private mutating func dropFull(now: Instant) {
        fullAgain = fullAgain.filter { $0.value > now }
    }

    /// Called when the table is full: the keys that are full again go first; if that is not
    /// enough, the tenth of the keys closest to full, so that a stream of new keys pays for one
    /// sort per `capacity / 10` of them rather than a scan each.
    private mutating func makeRoom(now: Instant) {
        dropFull(now: now)
        guard fullAgain.count >= capacity else { return }
        let evicted = max(1, capacity / 10)
        for (key, _) in fullAgain.sorted(by: { $0.value < $1.value }).prefix(evicted) {
            fullAgain[key] = nil
        }
    }
}
