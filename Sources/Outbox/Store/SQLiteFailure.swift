import SQLiteNIO

/// Turns an SQLite error into words and the likely fix for the operator.
struct SQLiteFailure {
    var reason: String
    var hint: String

    init(_ error: any Error) {
        guard let error = error as? SQLiteError else {
            reason = String(describing: error)
            hint = "See the error above."
            return
        }
        reason = error.message
        // The connection reports extended result codes (readonlyDirectory, ioErrorFailedWrite, …)
        // and their numeric value is not public, so group them by the family in their name.
        let family = String(describing: error.reason).lowercased()
        if family.hasPrefix("full") {
            hint = "The disk holding the data folder is full: free space or give the volume more room."
        } else if family.hasPrefix("readonly") || family.hasPrefix("permission") || family.hasPrefix("cantopen")
            || family.hasPrefix("auth") {
            hint = "The data folder or file is not writable by this process: mount the volume read-write and give it to the mailer's user (uid 10001 in the image), or set MAILER_DATA_DIR to a writable folder."
        } else if family.hasPrefix("ioerror") {
            hint = "The operating system failed to read or write the file: check the volume (disk full, network filesystem without locking, unplugged device)."
        } else if family.hasPrefix("corrupt") || family.hasPrefix("notadatabase") {
            hint = "The file is not an SQLite database or is damaged: restore it from a backup, or move it away to start an empty outbox."
        } else if family.hasPrefix("busy") || family.hasPrefix("locked") {
            hint = "Another process held the database lock for longer than the busy timeout: check that no other program keeps a transaction open on this file."
        } else {
            hint = "SQLite reported \(error.reason)."
        }
    }

    /// Failures of the file or the lock rather than of one statement's data: every statement
    /// would fail the same way, so retrying jobs one by one only multiplies the wait.
    static func affectsEveryStatement(_ error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        let family = String(describing: error.reason).lowercased()
        return ["full", "readonly", "permission", "cantopen", "auth", "ioerror", "corrupt", "notadatabase",
                "busy", "locked", "nomem", "interrupt", "connection", "close"].contains { family.hasPrefix($0) }
    }
}
