/// Counts for dashboards and health checks.
public struct OutboxStats: Sendable, Equatable {
    /// Every state, zero when no email is in it.
    public var counts: [MessageState: Int]
    /// How long the oldest queued or deferred email has waited; nil when none waits.
    public var oldestPendingAge: Duration?
    /// Emails sent since midnight UTC.
    public var sentToday: Int
    /// Attempts that ended in `failed` since midnight UTC, by error code.
    public var failedTodayByCode: [String: Int]

    public var failedToday: Int { failedTodayByCode.values.reduce(0, +) }

    /// Memberwise, for the storages in other modules of this package.
    package init(counts: [MessageState: Int], oldestPendingAge: Duration?, sentToday: Int, failedTodayByCode: [String: Int]) {
        self.counts = counts
        self.oldestPendingAge = oldestPendingAge
        self.sentToday = sentToday
        self.failedTodayByCode = failedTodayByCode
    }
}
