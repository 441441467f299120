import Logging
import Outbox
import PostgresNIO

/// The outbox's tables in PostgreSQL, and the steps from each schema version to the next.
///
/// The same tables as the SQLite file, with what sharing them needs: a claim names its replica
/// and carries a lease (`claimed_by`, `lease_expires_at`), and an idempotency key may be inserted
/// before its email (the foreign key is checked at commit), so that racing replicas settle who
/// owns a key with one INSERT ... ON CONFLICT.
enum PostgresSchema {
    /// Each entry takes the schema from version `index` to `index + 1`; append, never edit.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE messages (
                -- Insertion order: newest-first listings and their cursors use it, as it never repeats.
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                template TEXT NOT NULL,
                locale TEXT NOT NULL,
                sender TEXT NOT NULL,
                recipients TEXT[] NOT NULL,
                message_id TEXT NOT NULL,
                size BIGINT NOT NULL,
                state TEXT NOT NULL
                    CHECK (state IN ('queued', 'sending', 'deferred', 'sent', 'failed', 'cancelled')),
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at BIGINT,
                claimed_at BIGINT,
                claimed_by TEXT,
                lease_expires_at BIGINT,
                last_error TEXT,
                sent_at BIGINT,
                provider TEXT,
                updated_at BIGINT NOT NULL,
                request_id TEXT
            )
            """,
            // The bytes live apart from the row that changes state: each state change writes a new
            // row version (MVCC), which should be a few hundred bytes, not the whole message.
            """
            CREATE TABLE message_bodies (
                message TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
                content BYTEA NOT NULL
            )
            """,
            """
            CREATE TABLE attempts (
                message TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                number BIGINT NOT NULL,
                started_at BIGINT NOT NULL,
                finished_at BIGINT NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'deferred', 'failed')),
                error_code TEXT,
                hint TEXT,
                detail TEXT,
                smtp_code BIGINT,
                enhanced_code TEXT,
                reply_text TEXT,
                provider TEXT NOT NULL,
                PRIMARY KEY (message, number)
            )
            """,
            """
            CREATE TABLE idempotency_keys (
                key TEXT PRIMARY KEY CHECK (octet_length(key) BETWEEN 1 AND 255),
                message TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                created_at BIGINT NOT NULL,
                answer BYTEA
            )
            """,
            // Workers ask "what is due?" constantly; only waiting rows are in this index.
            "CREATE INDEX messages_due ON messages (next_attempt_at, seq) WHERE state IN ('queued', 'deferred')",
            // Claims whose replica may have died: only the rows being sent, a few per worker.
            "CREATE INDEX messages_leases ON messages (lease_expires_at) WHERE state = 'sending'",
            "CREATE INDEX messages_state ON messages (state, seq)",
            "CREATE INDEX messages_sent_at ON messages (sent_at) WHERE sent_at IS NOT NULL",
            "CREATE INDEX messages_updated_at ON messages (updated_at)",
            "CREATE INDEX attempts_finished_at ON attempts (finished_at)",
            "CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)",
            // Foreign keys point at messages(id); without this index every cascade scans the child table.
            "CREATE INDEX idempotency_keys_message ON idempotency_keys (message)",
        ],
        [
            // Only retention asks by last change, and only of finished emails: new row versions of
            // an email waiting or being sent no longer add an entry to this index.
            "DROP INDEX messages_updated_at",
            "CREATE INDEX messages_finished ON messages (updated_at) WHERE state IN ('sent', 'failed', 'cancelled')",
        ],
    ]

    static var currentVersion: Int { migrations.count }

    /// Any number that no other program on the database takes for its own advisory lock:
    /// "mailer" in ASCII.
    static let migrationLock: Int64 = 0x6D61_696C_6572

    /// Brings the database to `currentVersion`. The transaction first takes an advisory lock, so
    /// replicas starting together migrate one after the other: the second finds the work done.
    static func migrate(_ connection: PostgresConnection, url: PostgresURL, logger: Logger) async throws {
        _ = try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger).collect()
        _ = try await connection.query(
            "CREATE TABLE IF NOT EXISTS outbox_schema (version BIGINT NOT NULL)", logger: logger
        ).collect()
        let found = try await version(connection, logger: logger)
        if found == nil {
            try await connection.query("INSERT INTO outbox_schema (version) VALUES (0)", logger: logger)
        }
        let current = found ?? 0
        if current > currentVersion {
            // Not OutboxError.schemaTooNew: its fix names MAILER_DATA_DIR, the SQLite outbox's.
            throw OutboxError.cannotOpen(
                path: url.description,
                reason: "the database has outbox schema version \(current), but this build knows versions up to \(currentVersion): a newer mailer migrated it",
                hint: "Run that version on every replica, or point MAILER_DATABASE_URL at another database.")
        }
        for version in current..<currentVersion {
            for statement in migrations[version] {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            let next = Int64(version + 1)
            try await connection.query("UPDATE outbox_schema SET version = \(next)", logger: logger)
        }
    }

    /// nil before the first migration created the version row.
    static func version(_ connection: PostgresConnection, logger: Logger) async throws -> Int? {
        let rows = try await connection.query("SELECT version FROM outbox_schema", logger: logger).collect()
        return try rows.first.map { try RowReader($0, table: "outbox_schema").int("version") }
    }
}
