import Foundation
import Logging
import Outbox
import ServiceLifecycle

/// Keeps the outbox small: deletes sent, failed and cancelled emails older than the retention
/// (MAILER_RETENTION_DAYS) and expired Idempotency-Keys, at start and then every hour.
public struct OutboxMaintenance: Service {
    let store: any OutboxStorage
    let retention: Duration
    let logger: Logger

    public init(store: any OutboxStorage, retention: Duration, logger: Logger) {
        self.store = store
        self.retention = retention
        self.logger = logger
    }

    public func run() async throws {
        repeat {
            do {
                let cutoff = Date().addingTimeInterval(-Double(retention.components.seconds))
                let pruned = try await store.prune(olderThan: cutoff)
                let keys = try await store.pruneIdempotencyKeys()
                if pruned > 0 || keys > 0 {
                    logger.info("outbox pruned", metadata: ["emails": .stringConvertible(pruned), "idempotency_keys": .stringConvertible(keys)])
                }
            } catch {
                logger.error("outbox pruning failed; retrying in an hour", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        } while !Task.isCancelled && !Task.isShuttingDownGracefully
    }
}
