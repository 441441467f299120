import Foundation

/// Durable storage and scheduling state of outgoing emails, whatever holds them: the embedded
/// SQLite file (`OutboxStore`, the default) or a PostgreSQL database that several replicas share.
///
/// The service and the CLI hold an `any OutboxStorage` and never learn which one it is. Every
/// implementation keeps the same promises:
/// - each method is one transaction: when it returns, what it did is committed, and when it
///   throws, nothing of it happened;
/// - an email is claimed by one claimer at a time, however many stores (or processes, or
///   replicas) claim from the same outbox;
/// - an Idempotency-Key seen within its lifetime stores no second email, however many requests
///   race on however many stores;
/// - an email claimed by a process that died is delivered again (at least once, never lost).
///
/// Times are the callers' clocks, stored to the millisecond.
public protocol OutboxStorage: Sendable {
    /// Where the emails live, for logs and errors: the file's path, or the database URL with its
    /// password hidden. Never a secret.
    var path: String { get }

    /// Stores an accepted email, due at once; with an idempotency key already seen within its
    /// lifetime, stores nothing and answers the first request's id and answer.
    ///
    /// `claimed`: stores it already claimed by this claimer (`sending`, as `claimDue` would leave
    /// it), for a worker with room to send it at once: one write instead of an enqueue, a claim
    /// and the claim's read of the bytes. Recovery treats it like any other claim.
    func enqueue(_ message: OutgoingMessage, idempotencyKey: IdempotencyKey?, now: Date, claimed: Bool) async throws -> EnqueueResult

    /// Moves up to `limit` due emails to `sending` for this claimer and returns them with their
    /// bytes, earliest due first; no other claimer gets them while the claim holds. With
    /// `maximumBytes`, stops before the email that would take the batch's bytes past it (the
    /// first always comes): claimed emails wait in memory.
    func claimDue(now: Date, limit: Int, maximumBytes: Int?) async throws -> [ClaimedMessage]
    /// Gives this claimer's emails whose attempt never started back to the queue, due `now`,
    /// their attempt count untouched; returns how many.
    @discardableResult
    func unclaim(_ ids: [String], now: Date) async throws -> Int
    /// When the next waiting email is due, so a worker can sleep until then; nil when none waits.
    func nextDueDate() async throws -> Date?
    /// Queues again the emails whose delivery was interrupted by a process that stopped (all of
    /// them for the single-process SQLite file; those whose claim has expired where replicas
    /// share the outbox); returns how many. Call once at start-up, before claiming.
    func recoverInterrupted(now: Date) async throws -> Int

    /// Appends a finished attempt and leaves the email in the outcome's state, in one
    /// transaction; answers the updated record when the outcome asks for it (`readBack`). The
    /// `record*` methods below build the outcome; both storages group-commit it.
    func record(_ outcome: OutcomeJob) async throws -> MessageRecord?

    /// One email with its bytes and every recorded attempt; nil when the id is unknown (or pruned).
    func message(_ id: String) async throws -> StoredMessage?
    /// Emails newest first, optionally in one state only, `limit` per page (1…1000); `cursor` is
    /// a page's `nextCursor`.
    func list(status: MessageState?, limit: Int, cursor: String?) async throws -> MessagePage
    /// Counts per state, the oldest wait, and today's (UTC) deliveries and failures.
    func stats(now: Date) async throws -> OutboxStats
    /// Emails per waiting state (queued, sending, deferred), zero included: cheap enough for
    /// every metrics scrape.
    func queueDepth() async throws -> [MessageState: Int]

    /// Queues a deferred or failed email again, due now, its attempt count kept.
    @discardableResult
    func retry(_ id: String, now: Date) async throws -> MessageRecord
    /// Cancels an email that has not gone out; cancelling a cancelled email changes nothing.
    @discardableResult
    func cancel(_ id: String, now: Date) async throws -> MessageRecord
    /// Makes every deferred email due now; returns how many.
    func flush(now: Date) async throws -> Int
    /// Cancels every queued and deferred email; returns how many.
    func cancelAll(now: Date) async throws -> Int

    /// Deletes sent, failed and cancelled emails last changed before `cutoff`, with their bytes,
    /// attempts and idempotency keys; returns how many emails.
    func prune(olderThan cutoff: Date) async throws -> Int
    /// Forgets idempotency keys older than their lifetime; returns how many.
    func pruneIdempotencyKeys(now: Date) async throws -> Int

    /// Commits a write that changes nothing, to prove an email could be stored right now.
    func probeWrite() async throws
    /// Write transactions committed by this store: with group commit, far fewer than the emails
    /// stored and attempts recorded under load.
    var committedWrites: Int { get }
    /// Lets the connections go. Emails claimed and not recorded stay `sending` until recovered.
    func close() async throws
    /// How long an idle worker may go without looking at the outbox. Writers elsewhere (other
    /// replicas, `mailer queue`) do not ring this process's worker, and a dead replica's claims
    /// are due only once their lease has run out.
    var idleLookInterval: Duration { get }
    /// How often a worker asks `changedElsewhere()`; nil when the storage cannot tell cheaply.
    var changeCheckInterval: Duration? { get }
    /// Whether another connection (`mailer queue` in another process) has committed to the
    /// outbox since this store's previous call; the first call answers false. Lets a worker look
    /// at once at what was made due elsewhere instead of at its next idle look.
    func changedElsewhere() async throws -> Bool
}

/// The defaults callers rely on: the current time, the primary provider, no idempotency key.
extension OutboxStorage {
    /// A minute: the one process that uses an outbox rings its worker itself, and
    /// `changedElsewhere()` tells it of `mailer queue retry` and `flush` from the command line.
    public var idleLookInterval: Duration { .seconds(60) }

    /// Nothing to ask: the idle look alone finds what changed elsewhere.
    public var changeCheckInterval: Duration? { nil }

    public func changedElsewhere() async throws -> Bool { false }

    public func enqueue(_ message: OutgoingMessage, idempotencyKey: IdempotencyKey? = nil, claimed: Bool = false) async throws -> EnqueueResult {
        try await enqueue(message, idempotencyKey: idempotencyKey, now: Date(), claimed: claimed)
    }

    public func enqueue(_ message: OutgoingMessage, idempotencyKey: IdempotencyKey? = nil, now: Date) async throws -> EnqueueResult {
        try await enqueue(message, idempotencyKey: idempotencyKey, now: now, claimed: false)
    }

    public func claimDue(limit: Int, maximumBytes: Int? = nil) async throws -> [ClaimedMessage] {
        try await claimDue(now: Date(), limit: limit, maximumBytes: maximumBytes)
    }

    public func claimDue(now: Date, limit: Int) async throws -> [ClaimedMessage] {
        try await claimDue(now: now, limit: limit, maximumBytes: nil)
    }

    @discardableResult
    public func unclaim(_ ids: [String]) async throws -> Int {
        try await unclaim(ids, now: Date())
    }

    public func recoverInterrupted() async throws -> Int {
        try await recoverInterrupted(now: Date())
    }

    /// The server took the email: appends the attempt and marks it `sent`.
    ///
    /// `startedAt` is when the attempt began; without it, when the email was claimed (a worker
    /// that claims ahead may start an attempt a while after its claim).
    @discardableResult
    public func recordSent(_ id: String, reply: ServerReply, provider: ProviderName = .primary, startedAt: Date? = nil, now: Date = Date()) async throws -> MessageRecord {
        try OutcomeJob.readBack(id, await record(.sent(id, reply: reply, provider: provider, startedAt: startedAt, now: now, readBack: true)))
    }

    /// A transient failure: appends the attempt and waits until `nextAttemptAt` (from `RetryPolicy`).
    @discardableResult
    public func recordDeferred(_ id: String, error: DeliveryError, nextAttemptAt: Date, provider: ProviderName = .primary, startedAt: Date? = nil, now: Date = Date()) async throws -> MessageRecord {
        try OutcomeJob.readBack(id, await record(.deferred(id, error: error, nextAttemptAt: nextAttemptAt, provider: provider, startedAt: startedAt, now: now, readBack: true)))
    }

    /// A permanent failure, or the retry policy gave up: appends the attempt and marks it `failed`.
    @discardableResult
    public func recordFailed(_ id: String, error: DeliveryError, provider: ProviderName = .primary, startedAt: Date? = nil, now: Date = Date()) async throws -> MessageRecord {
        try OutcomeJob.readBack(id, await record(.failed(id, error: error, provider: provider, startedAt: startedAt, now: now, readBack: true)))
    }

    /// `recordSent`, `recordDeferred` and `recordFailed` for a caller that only needs the outcome
    /// stored (the outbox worker): the same transaction and checks, without reading the updated
    /// row back.
    public func recordSentOnly(_ id: String, reply: ServerReply, provider: ProviderName = .primary, startedAt: Date? = nil, now: Date = Date()) async throws {
        _ = try await record(.sent(id, reply: reply, provider: provider, startedAt: startedAt, now: now, readBack: false))
    }

    public func recordDeferredOnly(_ id: String, error: DeliveryError, nextAttemptAt: Date, provider: ProviderName = .primary, startedAt: Date? = nil, now: Date = Date()) async throws {
        _ = try await record(.deferred(id, error: error, nextAttemptAt: nextAttemptAt, provider: provider, startedAt: startedAt, now: now, readBack: false))
    }

    public func recordFailedOnly(_ id: String, error: DeliveryError, provider: ProviderName = .primary, startedAt: Date? = nil, now: Date = Date()) async throws {
        _ = try await record(.failed(id, error: error, provider: provider, startedAt: startedAt, now: now, readBack: false))
    }

    public func list(status: MessageState? = nil, limit: Int = 50) async throws -> MessagePage {
        try await list(status: status, limit: limit, cursor: nil)
    }

    public func stats() async throws -> OutboxStats {
        try await stats(now: Date())
    }

    @discardableResult
    public func retry(_ id: String) async throws -> MessageRecord {
        try await retry(id, now: Date())
    }

    @discardableResult
    public func cancel(_ id: String) async throws -> MessageRecord {
        try await cancel(id, now: Date())
    }

    public func flush() async throws -> Int {
        try await flush(now: Date())
    }

    public func cancelAll() async throws -> Int {
        try await cancelAll(now: Date())
    }

    public func pruneIdempotencyKeys() async throws -> Int {
        try await pruneIdempotencyKeys(now: Date())
    }
}
