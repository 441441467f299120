
/// The tables, and the steps from each `PRAGMA user_version` to the next.
enum Schema {
    /// Each entry takes the schema from version `index` to `index + 1`; append, never edit.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE messages (
                -- Insertion order: newest-first listings and their cursors use it, as it never repeats.
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                template TEXT NOT NULL,
                locale TEXT NOT NULL,
                sender TEXT NOT NULL,
                recipients TEXT NOT NULL,
                message_id TEXT NOT NULL,
                size INTEGER NOT NULL,
                state TEXT NOT NULL
                    CHECK (state IN ('queued', 'sending', 'deferred', 'sent', 'failed', 'cancelled')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER,
                claimed_at INTEGER,
                last_error TEXT,
                sent_at INTEGER,
                provider TEXT,
                updated_at INTEGER NOT NULL
            )
            """,
            // The bytes live apart from the row that changes state, so that each state change rewrites
            // a few hundred bytes rather than the whole message.
            """
            CREATE TABLE message_bodies (
                message TEXT PRIMARY KEY NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                content BLOB NOT NULL
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE attempts (
                message TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                started_at INTEGER NOT NULL,
                finished_at INTEGER NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'deferred', 'failed')),
                error_code TEXT,
                hint TEXT,
                detail TEXT,
                smtp_code INTEGER,
                enhanced_code TEXT,
                reply_text TEXT,
                provider TEXT NOT NULL,
                PRIMARY KEY (message, number)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE idempotency_keys (
                key TEXT PRIMARY KEY NOT NULL CHECK (length(CAST(key AS BLOB)) BETWEEN 1 AND 255),
                message TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                created_at INTEGER NOT NULL,
                answer BLOB
            ) WITHOUT ROWID
            """,
            // Workers ask "what is due?" constantly; only waiting rows are in this index.
            "CREATE INDEX messages_due ON messages(next_attempt_at, seq) WHERE state IN ('queued', 'deferred')",
            "CREATE INDEX messages_state ON messages(state, seq)",
            "CREATE INDEX messages_sent_at ON messages(sent_at) WHERE sent_at IS NOT NULL",
            "CREATE INDEX messages_updated_at ON messages(updated_at)",
            "CREATE INDEX attempts_finished_at ON attempts(finished_at)",
            "CREATE INDEX idempotency_keys_created_at ON idempotency_keys(created_at)",
            // Foreign keys point at messages(id); without this index every cascade scans the child table.
            "CREATE INDEX idempotency_keys_message ON idempotency_keys(message)",
        ],
        [
            // The caller's X-Request-ID, so each delivery attempt's log line leads back to the request.
            "ALTER TABLE messages ADD COLUMN request_id TEXT",
        ],
        [
            // Only retention asks by last change, and only of finished emails: an email waiting or
            // being sent is no longer in this index, so accepting, claiming and recording an attempt
            // each update one index entry fewer (entered once, when the email is finished).
            "DROP INDEX messages_updated_at",
            "CREATE INDEX messages_finished ON messages(updated_at) WHERE state IN ('sent', 'failed', 'cancelled')",
        ],
    ]

    static var currentVersion: Int { migrations.count }

    /// Brings the file to `currentVersion` inside the caller's write transaction, so two processes
    /// starting together never both migrate.
    static func migrate(_ sql: OutboxDatabase.Statements, path: String) throws {
        let found = try version(sql)
        if found > currentVersion {
            throw OutboxError.schemaTooNew(path: path, found: found, supported: currentVersion)
        }
        for version in found..<currentVersion {
            for statement in migrations[version] {
                try sql.run(statement)
            }
            // PRAGMA takes no bound parameters; the value is our own integer.
            try sql.run("PRAGMA user_version = \(version + 1)")
        }
    }

    static func version(_ sql: OutboxDatabase.Statements) throws -> Int {
        let rows = try sql.run("PRAGMA user_version")
        return Int(rows.first?.column("user_version")?.integer ?? 0)
    }
}
