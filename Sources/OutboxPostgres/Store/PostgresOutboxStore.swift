import Foundation
import Logging
import NIOSSL
import Outbox
import PostgresNIO
import Synchronization

/// The outbox in a PostgreSQL database that several replicas share (MAILER_DATABASE_URL).
///
/// The same promises as the SQLite `OutboxStore` (see `OutboxStorage`), kept across processes:
/// - a claim is one statement that takes due rows with `FOR UPDATE SKIP LOCKED`, so replicas
///   never wait for each other and never get the same email;
/// - a claim names this store (`replica`) and holds a lease of `leaseDuration`. A replica that
///   dies mid-send leaves its claims `sending`; once their lease has expired, the next claim of
///   any replica takes them, and `recoverInterrupted` queues them again. A live replica's claims
///   are never touched, and its outcome for an email another replica has since claimed is refused;
/// - an Idempotency-Key is settled by INSERT ... ON CONFLICT, so however many replicas race on
///   one key, one email is stored;
/// - enqueues and attempt records that arrive together share a transaction (group commit).
///
/// Leases compare the replicas' own clocks (as every time in the outbox does): keep them in sync
/// (NTP) to well within the lease, or a replica whose clock runs ahead takes live claims.
public final class PostgresOutboxStore: OutboxStorage {
    /// The database URL with its password hidden.
    public let path: String
    public let url: PostgresURL
    public let configuration: OutboxConfiguration
    /// How long a claim holds before another replica may take the email: longer than the
    /// longest attempt (with claiming ahead, the wait for a free SMTP connection included).
    public let leaseDuration: Duration
    /// This store's name on its claims.
    public let replica: String
    /// Replicas queue emails and leave expired claims that no doorbell here announces: an idle
    /// worker looks every 2 s (one indexed query), so they wait seconds, not the minute of SQLite.
    public var idleLookInterval: Duration { .seconds(2) }

    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>
    private let commits = Atomic<Int>(0)
    let enqueues: GroupCommit<EnqueueJob, EnqueueResult>
    let outcomes: GroupCommit<OutcomeJob, MessageRecord?>

    /// Jobs per group commit at most: bounds a statement's parameters (PostgreSQL allows 65 535;
    /// a row takes at most 13) and how long one transaction holds its row locks.
    static let maximumBatch = 256

    public static let defaultLeaseDuration: Duration = .seconds(300)

    private init(url: PostgresURL, configuration: OutboxConfiguration, leaseDuration: Duration, replica: String,
                 client: PostgresClient, running: Task<Void, Never>, logger: Logger) {
        self.url = url
        self.path = url.description
        self.configuration = configuration
        self.leaseDuration = leaseDuration
        self.replica = replica
        self.client = client
        self.running = running
        self.logger = logger
        let keyLifetime = configuration.idempotencyKeyLifetime
        // The closures reach the store through these boxes: the store does not exist yet.
        let store = StoreReference()
        enqueues = GroupCommit(maximumBatch: Self.maximumBatch) { jobs in
            await store.value?.commitEnqueues(jobs, keyLifetime: keyLifetime) ?? jobs.map { _ in .failure(Self.closedError) }
        }
        outcomes = GroupCommit(maximumBatch: Self.maximumBatch) { jobs in
            await store.value?.commitOutcomes(jobs) ?? jobs.map { _ in .failure(Self.closedError) }
        }
        store.value = self
    }

    /// Connects to the database and brings its schema up to date (under an advisory lock, so
    /// replicas starting together do not race).
    ///
    /// Throws `OutboxError.cannotOpen` naming the URL (password hidden), what went wrong and the
    /// likely fix when the server cannot be reached within `connectTimeout`, refuses the login,
    /// or holds a schema from a newer build.
    public static func open(
        url: PostgresURL,
        configuration: OutboxConfiguration = .init(),
        leaseDuration: Duration = defaultLeaseDuration,
        replica: String = defaultReplicaName(),
        maximumConnections: Int = 8,
        connectTimeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "outbox.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> PostgresOutboxStore {
        guard leaseDuration >= .seconds(1) else {
            throw OutboxError.invalidArgument("a claim's lease must last at least a second, got \(leaseDuration)")
        }
        // One connection first, for the schema and for the reason when the server cannot be used:
        // a pool that cannot connect only keeps retrying, and start-up should say why instead.
        do {
            var probeConfiguration = PostgresConnection.Configuration(
                host: url.host, port: url.port, username: url.username, password: url.password, database: url.database,
                tls: try connectionTLS(for: url))
            probeConfiguration.options.connectTimeout = .milliseconds(connectTimeout.wholeMilliseconds)
            let connectionConfiguration = probeConfiguration
            try await withDeadline(connectTimeout + .seconds(5), url: url) {
                let connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
                do {
                    try await connection.withTransaction(logger: logger) { connection in
                        try await PostgresSchema.migrate(connection, url: url, logger: logger)
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try await connection.close()
            }
        } catch {
            if let outbox = error as? OutboxError {
                if case .cannotOpen = outbox { throw outbox }
                if case .schemaTooNew = outbox { throw outbox }
            }
            if let transaction = error as? PostgresTransactionError, let outbox = transaction.closureError as? OutboxError {
                throw outbox
            }
            let failure = PostgresFailure(error)
            throw OutboxError.cannotOpen(path: url.description, reason: failure.reason, hint: failure.hint)
        }

        var clientConfiguration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database,
            tls: clientTLS(for: url))
        clientConfiguration.options.maximumConnections = maximumConnections
        clientConfiguration.options.connectTimeout = connectTimeout
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        let running = Task { await client.run() }
        logger.info("outbox database open", metadata: ["url": "\(url)", "replica": "\(replica)"])
        return PostgresOutboxStore(
            url: url, configuration: configuration, leaseDuration: leaseDuration, replica: replica,
            client: client, running: running, logger: logger)
    }

    /// Host name, process id and a random suffix: unique among the replicas, and it tells the
    /// operator which container holds a claim.
    public static func defaultReplicaName() -> String {
        "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UInt32.random(in: 0...UInt32.max))"
    }

    /// libpq's meanings: prefer and require encrypt without checking who answers, unless
    /// sslrootcert names the authorities to check the chain against; verify-full checks the chain
    /// and the host name (PostgresNIO sends and checks the URL's host unless it is an IP address).
    private static func tlsConfiguration(for url: PostgresURL) -> TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let roots = url.sslRootCertificate { configuration.trustRoots = .file(roots) }
        switch url.sslMode {
        case .disable: return nil
        case .prefer, .require: configuration.certificateVerification = url.sslRootCertificate == nil ? .none : .noHostnameVerification
        case .verifyFull: break
        }
        return configuration
    }

    private static func clientTLS(for url: PostgresURL) -> PostgresClient.Configuration.TLS {
        guard let configuration = tlsConfiguration(for: url) else { return .disable }
        return url.sslMode == .prefer ? .prefer(configuration) : .require(configuration)
    }

    private static func connectionTLS(for url: PostgresURL) throws -> PostgresConnection.Configuration.TLS {
        guard let configuration = tlsConfiguration(for: url) else { return .disable }
        let context = try NIOSSLContext(configuration: configuration)
        return url.sslMode == .prefer ? .prefer(context) : .require(context)
    }

    private static func withDeadline<T: Sendable>(_ deadline: Duration, url: PostgresURL, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: deadline)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw OutboxError.cannotOpen(
                    path: url.description,
                    reason: "no answer from the PostgreSQL server within \(deadline)",
                    hint: "Check that the server runs and is reachable at \(url.host):\(url.port), and that the network lets the mailer through.")
            }
            return value
        }
    }

    static let closedError = OutboxError.invalidArgument("the outbox is closed")

    /// Closes the connections. Emails claimed and not recorded stay `sending` until their lease expires.
    public func close() async throws {
        running.cancel()
        await running.value
    }

    public var committedWrites: Int { commits.load(ordering: .relaxed) }

    /// Proves an email could be stored now: a write transaction that changes nothing and commits
    /// (a full disk or a read-only standby fail here as an enqueue would).
    public func probeWrite() async throws {
        try await transaction("probe a write") { connection in
            _ = try await connection.query("UPDATE outbox_schema SET version = version", logger: self.logger).collect()
        }
    }

    // MARK: - Running statements

    /// One write transaction on a pooled connection; errors become `OutboxError.storage`.
    func transaction<T: Sendable>(_ operation: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await rawTransaction(body)
        } catch {
            throw storageError(operation, error)
        }
    }

    /// `transaction` with the driver's error as it is, for a batch that decides from it whether
    /// to retry job by job.
    func rawTransaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let result = try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        commits.add(1, ordering: .relaxed)
        return result
    }

    /// One statement in a transaction of its own, its rows read.
    func run(_ operation: String, _ query: PostgresQuery, writes: Bool = true) async throws -> [PostgresRow] {
        do {
            let rows = try await client.query(query, logger: logger).collect()
            if writes { commits.add(1, ordering: .relaxed) }
            return rows
        } catch {
            throw storageError(operation, error)
        }
    }

    func storageError(_ operation: String, _ error: any Error) -> any Error {
        if let outbox = error as? OutboxError { return outbox }
        if let transaction = error as? PostgresTransactionError, let outbox = transaction.closureError as? OutboxError {
            return outbox
        }
        let failure = PostgresFailure(error)
        return OutboxError.storage(path: path, operation: operation, reason: failure.reason, hint: failure.hint)
    }
}

/// Lets the group-commit closures, made in `init`, reach the store they belong to.
final class StoreReference: @unchecked Sendable {
    // Written once in init, before either closure can run; read only afterwards.
    weak var value: PostgresOutboxStore?
}
