import Foundation
import Logging
import MIMEMessage
import SMTP
import ServiceLifecycle

/// Runs deliveries in the background, as a service of the application.
///
/// On graceful shutdown (SIGTERM from `docker compose down`) it stops taking new emails and
/// finishes every email already accepted before it returns, so none is dropped on the way out.
public final class DeliveryQueue: Service, Sendable {
    struct Job: Sendable {
        let handle: DeliveryHandle
        let mail: SMTPMail
        let template: String
        let logger: Logger
    }

    private let pool: SMTPConnectionPool
    private let logger: Logger
    private let jobs: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation

    public init(pool: SMTPConnectionPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
        (jobs, continuation) = AsyncStream.makeStream(of: Job.self)
    }

    /// Accepts an email for delivery; nil once the service is shutting down.
    public func enqueue(id: String, mail: SMTPMail, template: String, logger: Logger) -> DeliveryHandle? {
        let handle = DeliveryHandle(id: id)
        switch continuation.yield(Job(handle: handle, mail: mail, template: template, logger: logger)) {
        case .enqueued: return handle
        case .dropped, .terminated: return nil
        @unknown default: return nil
        }
    }

    public func run() async {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                // Buffered jobs are still delivered after `finish()`: the stream ends only once drained.
                for await job in jobs {
                    // More would only wait inside the pool; here they stay cheap stream elements.
                    if running >= pool.configuration.size {
                        await group.next()
                        running -= 1
                    }
                    group.addTask { await self.deliver(job) }
                    running += 1
                }
            }
        } onGracefulShutdown: {
            self.logger.info("shutting down: no new emails are accepted; finishing the ones in flight")
            self.continuation.finish()
        }
        await pool.close()
        logger.info("delivery queue stopped: every accepted email was handed to the SMTP server or failed")
    }

    private func deliver(_ job: Job) async {
        var logger = job.logger
        logger[metadataKey: "smtp_host"] = "\(pool.client.configuration.host)"
        let started = ContinuousClock.now
        do {
            let receipt = try await pool.send(job.mail, logger: logger)
            logger.info("email sent", metadata: [
                "duration_ms": .stringConvertible(Self.milliseconds(since: started)),
                "smtp_code": .stringConvertible(receipt.reply.code),
                "smtp_reply": "\(receipt.reply.message)",
                "tls": "\(receipt.tlsVersion ?? "none")",
                // 1: the message opened its session; higher: it reused a pooled one.
                "smtp_connection_message": .stringConvertible(receipt.messageNumberOnConnection),
            ])
            job.handle.complete(.sent(receipt))
        } catch {
            var metadata: Logger.Metadata = [
                "duration_ms": .stringConvertible(Self.milliseconds(since: started)),
                "code": "\(error.code.rawValue)",
                "hint": "\(error.hint)",
                "error": "\(error.message)",
            ]
            if let reply = error.reply {
                metadata["smtp_code"] = .stringConvertible(reply.code)
                metadata["smtp_reply"] = "\(reply.message)"
            }
            if let command = error.command { metadata["smtp_command"] = "\(command)" }
            metadata["transient"] = "\(error.isTransient)"
            if let phase = error.phase { metadata["phase"] = "\(phase)" }
            if let enhanced = error.enhancedStatusCode { metadata["smtp_enhanced_code"] = "\(enhanced)" }
            if !error.rejectedRecipients.isEmpty { metadata["rejected_recipients"] = .array(error.rejectedRecipients.map { .string($0) }) }
            if let reason = error.tlsReason { metadata["tls_reason"] = "\(reason)" }
            logger.error("email not sent", metadata: metadata)
            job.handle.complete(.failed(error))
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}
