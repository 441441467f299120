extension OutboxStore {
    /// Twice a second: an email that `mailer queue retry` or `flush` made due from another process
    /// goes out within half a second rather than at the next idle look (a minute). Each check is
    /// one hop to the database thread and a counter read from shared memory.
    public var changeCheckInterval: Duration? { .milliseconds(500) }

    /// True when another connection (another process, or another store on the same file) has
    /// committed since the previous call; this store's own commits do not count.
    public func changedElsewhere() async throws -> Bool {
        let version = try await database.dataVersion()
        return seenDataVersion.withLock { seen in
            defer { seen = version }
            return seen.map { $0 != version } ?? false
        }
    }
}
