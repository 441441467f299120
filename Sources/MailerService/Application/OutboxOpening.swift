import Logging
import Outbox
import OutboxPostgres

/// Opens the outbox the configuration names: the PostgreSQL database of MAILER_DATABASE_URL
/// when set, else the SQLite file in MAILER_DATA_DIR. The only place that knows which one.
enum OutboxOpening {
    /// The storage, and with SQLite the lock that keeps a second service off the same folder.
    /// With PostgreSQL there is no such lock: replicas sharing the database is the point, and
    /// their claims are leased instead.
    ///
    /// A storage that cannot be opened is one configuration problem naming the variable to fix.
    static func open(_ configuration: MailerConfiguration, logger: Logger) async throws -> (storage: any OutboxStorage, lock: DataDirectoryLock?) {
        let outbox = OutboxConfiguration(idempotencyKeyLifetime: configuration.idempotencyKeyLifetime)
        if let url = configuration.databaseURL {
            do {
                let storage = try await PostgresOutboxStore.open(
                    url: url, configuration: outbox, leaseDuration: configuration.databaseLease, logger: logger)
                return (storage, nil)
            } catch {
                throw ConfigurationError(problems: [ConfigurationProblem(variable: "MAILER_DATABASE_URL", message: "\(error)")])
            }
        }
        let lock = try DataDirectoryLock(directory: configuration.dataDirectory)
        do {
            return (try await OutboxStore.open(path: configuration.outboxPath, configuration: outbox), lock)
        } catch {
            throw ConfigurationError(problems: [ConfigurationProblem(variable: "MAILER_DATA_DIR", message: "\(error)")])
        }
    }
}
