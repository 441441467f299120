/// How far a write transaction's commit must get before the caller hears of it.
enum CommitDurability: Sendable {
    /// On the disk (the WAL is fsync'd): survives a power cut. An accepted email, an operator's
    /// retry or cancel, the readiness probe.
    case disk
    /// In the operating system's cache: survives the process dying (`kill -9`, a crash), and
    /// reaches the disk with the next `.disk` commit or checkpoint (the WAL is one file, synced
    /// whole). For claims and attempt records, which only cost a second send if a power cut takes
    /// them back: an email still `sending` is queued again at the next start, as Postfix's queue
    /// manager does not fsync the removal of a delivered message either. Never a lost email.
    case operatingSystem
}
