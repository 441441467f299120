/// Settings of an `OutboxStore` that are not the file's location.
public struct OutboxConfiguration: Sendable, Equatable {
    /// How long a statement waits for another connection's write lock before it fails: long enough
    /// to ride out another process's transaction, short enough to surface a stuck one.
    public var busyTimeout: Duration
    /// How long an Idempotency-Key is remembered; a key seen again after that queues a new email.
    public var idempotencyKeyLifetime: Duration

    public init(busyTimeout: Duration = .seconds(5), idempotencyKeyLifetime: Duration = .seconds(24 * 60 * 60)) {
        self.busyTimeout = busyTimeout
        self.idempotencyKeyLifetime = idempotencyKeyLifetime
    }
}
