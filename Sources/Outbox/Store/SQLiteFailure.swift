/// Turns an SQLite error into words and the likely fix for the operator.
struct SQLiteFailure {
    var reason: String
    var hint: String

    init(_ error: any Error) {
        guard let error = error as? SQLiteResultError else {
            reason = String(describing: error)
            hint = "See the error above."
            return
        }
        reason = error.message
        switch error.primary {
        case .full?:
            hint = "The disk holding the data folder is full: free space or give the volume more room."
        case .readOnly?, .permission?, .cantOpen?, .authorization?:
            hint = "The data folder or file is not writable by this process: mount the volume read-write and give it to the mailer's user (uid 10001 in the image), or set MAILER_DATA_DIR to a writable folder."
        case .ioError?:
            hint = "The operating system failed to read or write the file: check the volume (disk full, network filesystem without locking, unplugged device)."
        case .corrupt?, .notADatabase?:
            hint = "The file is not an SQLite database or is damaged: restore it from a backup, or move it away to start an empty outbox."
        case .busy?, .locked?:
            hint = "Another process held the database lock for longer than the busy timeout: check that no other program keeps a transaction open on this file."
        default:
            hint = "SQLite reported result code \(error.code)."
        }
    }

    /// Failures of the file or the lock rather than of one statement's data: every statement
    /// would fail the same way, so retrying jobs one by one only multiplies the wait.
    static func affectsEveryStatement(_ error: any Error) -> Bool {
        guard let error = error as? SQLiteResultError, let primary = error.primary else { return false }
        switch primary {
        case .full, .readOnly, .permission, .cantOpen, .authorization, .ioError, .corrupt, .notADatabase,
             .busy, .locked, .noMemory, .interrupt, .misuse:
            return true
        default:
            return false
        }
    }
}
