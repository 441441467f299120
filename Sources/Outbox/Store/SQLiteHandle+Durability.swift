extension SQLiteHandle {
    /// Sets how far the next commits go (`PRAGMA synchronous`: FULL fsyncs the WAL at each commit,
    /// NORMAL leaves that to the next FULL commit or checkpoint), unless that is already the setting.
    /// A failure throws before the transaction begins: a commit is never less durable than asked.
    func setCommitDurability(_ durability: CommitDurability) throws(SQLiteResultError) {
        guard durability != commitDurability else { return }
        try run(durability == .disk ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        commitDurability = durability
    }
}
