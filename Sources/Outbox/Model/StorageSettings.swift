/// The durability settings in force on the store's connection, as SQLite reports them.
public struct StorageSettings: Sendable, Equatable {
    /// "wal" when open.
    public var journalMode: String
    /// 2 is FULL: every commit is synced to disk before it returns.
    public var synchronous: Int
    public var busyTimeoutMilliseconds: Int
    public var foreignKeys: Bool
    public var schemaVersion: Int
}
