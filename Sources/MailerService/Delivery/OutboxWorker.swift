import Foundation
import Logging
import Outbox
import SMTP
import ServiceLifecycle

/// Delivers what the outbox holds: takes due emails, sends each through the SMTP pool, and records
/// every attempt (sent, deferred with the next attempt time, or failed), so that an email accepted
/// once goes out through restarts, crashes and SMTP outages.
///
/// At start it puts back emails a previous run left `sending` (at-least-once delivery). On graceful
/// shutdown it claims nothing more, lets the attempts under way finish, and leaves the rest queued.
public final class OutboxWorker: Service, Sendable {
    private let store: any OutboxStorage
    private let pool: SMTPConnectionPool
    /// SMTP_FALLBACK_*: takes an attempt the primary server could not even be reached for.
    private let fallback: SMTPConnectionPool?
    private let retryPolicy: RetryPolicy
    private let waiters: DeliveryWaiters
    private let logger: Logger
    /// Counts outcomes by template and code; nil where nobody scrapes (unit tests).
    private let metrics: MailerMetrics?
    /// MAILER_LOG_RECIPIENTS: full addresses in the attempt lines, not only the domain.
    private let logRecipients: Bool
    private let signal = WorkerSignal()
    private let handOffGate = HandOffGate()

    private let ownsStore: Bool
    /// Held as long as the worker lives, so no second service works on the same outbox.
    private let dataDirectoryLock: DataDirectoryLock?

    /// Attempts that hold or wait for an SMTP connection at once: one per pooled connection.
    var sendSlots: Int { pool.configuration.size }

    /// Emails claimed but not yet recorded, at most. Claiming ahead lets one transaction take
    /// many emails and many outcomes share a commit, which is what lets the outbox keep up with
    /// the SMTP pool; with a rate limit there is nothing to gain, and emails would show
    /// `sending` while they only wait for their turn.
    var claimLimit: Int {
        pool.configuration.rateLimit == nil ? sendSlots * Self.claimAheadFactor : sendSlots
    }

    static let claimAheadFactor = 16

    /// Sent emails whose outcome waits for its commit, at most. Sends go on while outcomes wait
    /// for the outbox's thread (behind an enqueue's fsync or a claim, a few milliseconds under
    /// load), so that the connections do not stall, but not without bound: when the outbox cannot
    /// write, each of these becomes a duplicate after the next restart.
    var pendingRecordLimit: Int { sendSlots * 4 }
    /// How long delivery waits after the outbox failed to record an attempt (disk full, I/O error):
    /// 5 s in the service; tests that look at the pause make it longer than their own waits.
    let recordFailurePause: Duration

    /// - Parameter ownsStore: close the store when stopped (the application's worker stops last).
    init(store: any OutboxStorage, pool: SMTPConnectionPool, fallback: SMTPConnectionPool? = nil, retryPolicy: RetryPolicy, waiters: DeliveryWaiters, logger: Logger,
         metrics: MailerMetrics? = nil, ownsStore: Bool = false, dataDirectoryLock: DataDirectoryLock? = nil, logRecipients: Bool = false,
         recordFailurePause: Duration = .seconds(5)) {
        self.logRecipients = logRecipients
        self.recordFailurePause = recordFailurePause
        self.store = store
        self.fallback = fallback
        self.ownsStore = ownsStore
        self.dataDirectoryLock = dataDirectoryLock
        self.pool = pool
        self.retryPolicy = retryPolicy
        self.waiters = waiters
        self.logger = logger
        self.metrics = metrics
    }

    /// Something became due now (a new email, a retry, a flush): look without waiting for the timer.
    public func wake() {
        signal.ring()
    }

    /// A place for a freshly accepted email of `bytes` to go straight to delivery (`HandOffGate`):
    /// when true, store it with `enqueue(_:idempotencyKey:claimed:)` set, then call `handOver(_:)`
    /// with what was stored, or `giveBackHandOff(bytes:)` when nothing was (a duplicate, an error).
    /// When false, store it queued and `wake()` the worker.
    func reserveHandOff(bytes: Int) -> Bool {
        handOffGate.reserve(bytes: bytes)
    }

    /// The email stored claimed for this worker, to send as soon as a connection is free.
    func handOver(_ message: ClaimedMessage) {
        signal.handOver(message)
    }

    func giveBackHandOff(bytes: Int) {
        handOffGate.giveBack(bytes: bytes)
        signal.placeGivenBack()
    }

    public func run() async throws {
        let recovered: Int
        do {
            recovered = try await store.recoverInterrupted()
        } catch {
            // Cancelled before it began (another service failed at start-up, e.g. a port already
            // taken), or the outbox is unusable: the pools and the store are let go all the same.
            await closeResources()
            throw error
        }
        if let stats = try? await store.stats() {
            logger.info("outbox open", metadata: [
                "path": "\(store.path)",
                "queued": .stringConvertible((stats.counts[.queued] ?? 0) + (stats.counts[.deferred] ?? 0)),
                "sent_today": .stringConvertible(stats.sentToday),
            ])
        }
        if recovered > 0 {
            logger.warning("emails interrupted by the previous stop are queued again; a server may have them already (same Message-ID)", metadata: [
                "count": .stringConvertible(recovered),
            ])
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await deliver()
            } onGracefulShutdown: {
                self.logger.info("shutting down: finishing the SMTP transactions under way; queued emails stay in the outbox")
                self.signal.shutdown()
            }
        } onCancel: {
            // The service group cancels its services when one of them failed (a port already
            // taken): stop as on a graceful shutdown, or the process would wait for this loop forever.
            self.signal.shutdown()
        }
        await closeResources()
        logger.info("outbox worker stopped: emails not yet sent stay queued in the outbox")
    }

    private func closeResources() async {
        await pool.close()
        await fallback?.close()
        if ownsStore {
            // In a task of its own: closing fails in a cancelled task, which this one is when the
            // service group stops because another service failed.
            let store = store
            do { try await Task { try await store.close() }.value } catch { logger.error("outbox not closed cleanly", metadata: ["error": "\(error)"]) }
        }
    }

    /// The delivery loop: claims due emails ahead (`claimLimit`), starts at most `sendSlots`
    /// attempts at once, and claims more while the emails claimed ahead are still going out.
    ///
    /// The claim runs in a task of its own: it waits for the outbox's thread (behind the enqueues'
    /// commits under load), and the connections must not stand idle meanwhile.
    private func deliver() async {
        // Emails queued before the start (or by another process) are due without a ring.
        signal.ring()
        let watcher = watchForChangesElsewhere()
        // Discarding: a finished attempt's task is freed at once, not kept until shutdown.
        await withDiscardingTaskGroup { group in
            var claimedAhead: [ClaimedMessage] = []
            var next = 0  // index of the next email of claimedAhead to start
            var sending = 0
            var unrecorded = 0
            var moreDue = true
            var claiming = false
            var stopping = false
            var pausedUntil: ContinuousClock.Instant?
            var timer: Task<Void, Never>?
            var timerDue: ContinuousClock.Instant?
            func setTimer(after delay: Duration) {
                timer?.cancel()
                timer = schedule(after: delay)
                timerDue = ContinuousClock.now + delay
            }
            // The last claim failed: the outbox may hold due emails this loop cannot see.
            var claimFailed = false
            // When the last claim found nothing more due: the gate's view of the outbox dates from then.
            var lookedAt = ContinuousClock.now
            // After each look: what the hand-off gate may let through until the next one.
            var tookIn = 0
            var tookInBytes = 0
            func lookDone(open: Bool) {
                let waiting = claimedAhead.count - next
                let waitingBytes = claimedAhead[next...].reduce(0) { $0 + $1.content.count }
                // Places out count against the same bounds as claims (see the claim below).
                handOffGate.update(
                    open: open, capacity: claimLimit - waiting - unrecorded, capacityBytes: Self.claimAheadBytes - waitingBytes,
                    tookIn: tookIn, tookInBytes: tookInBytes)
                tookIn = 0
                tookInBytes = 0
            }
            while true {
                let events = await signal.next()
                sending -= events.sendsFinished
                unrecorded -= events.attemptsFinished
                if events.doorbell || events.due { moreDue = true }
                if let retry = events.earliestRetry, !claimFailed {
                    // An attempt was deferred after the timer was set: wake up for it, or emails
                    // handed over meanwhile would overtake it until the idle look.
                    let delay = Self.delay(until: retry, atMost: store.idleLookInterval)
                    if timerDue.map({ ContinuousClock.now + delay < $0 }) ?? true { setTimer(after: delay) }
                }
                if !events.handedOver.isEmpty {
                    // What other processes queued or retried rings nothing here: look again now
                    // and then while emails are being handed over, as every enqueue used to.
                    if ContinuousClock.now - lookedAt >= Self.lookWhileHandingOver { moreDue = true }
                    tookIn = events.handedOver.count
                    tookInBytes = events.handedOver.reduce(0) { $0 + $1.content.count }
                    if stopping {
                        await release(events.handedOver)
                    } else {
                        claimedAhead += events.handedOver
                    }
                }
                if let result = events.claim {
                    claiming = false
                    claimFailed = false
                    switch result {
                    case .claimed(let messages, let exhausted, let nextDue):
                        if exhausted { lookedAt = ContinuousClock.now }
                        if stopping {
                            await release(messages)
                        } else {
                            claimedAhead.removeFirst(next)
                            next = 0
                            claimedAhead += messages
                            if !exhausted {
                                moreDue = true
                            } else if !moreDue {
                                // Nothing rang while the claim ran: sleep until the next due email.
                                setTimer(after: Self.delay(until: nextDue, atMost: store.idleLookInterval))
                            }
                        }
                    case .failed(let error):
                        logger.error("outbox unreadable; retrying in 5 s", metadata: ["error": "\(error)"])
                        moreDue = false
                        claimFailed = true
                        setTimer(after: .seconds(5))
                    }
                }
                if events.shutdown && !stopping {
                    stopping = true
                    timer?.cancel()
                    await release(Array(claimedAhead[next...]))
                    claimedAhead = []
                    next = 0
                }
                if stopping {
                    lookDone(open: false)
                    if unrecorded == 0 && !claiming && handOffGate.outstandingPlaces.count == 0 { break }
                    continue
                }
                if events.recordsFailed > 0 {
                    // An email sent but not recorded goes again after a restart; every further
                    // send while the outbox cannot write would add one more such duplicate.
                    // Start nothing new (the emails claimed ahead wait) until it has had time to recover.
                    logger.error("the outbox cannot record attempts; delivery paused for \(recordFailurePause)", metadata: [
                        "waiting": .stringConvertible(claimedAhead.count - next),
                    ])
                    pausedUntil = ContinuousClock.now + recordFailurePause
                    setTimer(after: recordFailurePause)
                }
                if let until = pausedUntil {
                    guard ContinuousClock.now >= until else {
                        lookDone(open: false)
                        continue
                    }
                    pausedUntil = nil
                    moreDue = true
                }
                while sending < sendSlots && next < claimedAhead.count && unrecorded - sending < pendingRecordLimit {
                    let message = claimedAhead[next]
                    next += 1
                    sending += 1
                    unrecorded += 1
                    group.addTask {
                        let recorded = await self.attempt(message)
                        if !recorded { self.signal.recordFailed() }
                        self.signal.attemptFinished()
                    }
                }
                // Emails handed over but not yet here will be held too: a claim leaves room for them.
                let (placesOut, placesOutBytes) = handOffGate.outstandingPlaces
                let waiting = claimedAhead.count - next
                let room = claimLimit - waiting - unrecorded - placesOut
                if moreDue && !claiming && waiting < claimLowWater && room > 0 {
                    let waitingBytes = claimedAhead[next...].reduce(0) { $0 + $1.content.count } + placesOutBytes
                    if waitingBytes < Self.claimAheadBytes / 2 {
                        claiming = true
                        // A ring from now on means more may be due than this claim sees.
                        moreDue = false
                        let budget = Self.claimAheadBytes - waitingBytes
                        group.addTask {
                            self.signal.claimFinished(await self.claim(limit: room, maximumBytes: budget))
                        }
                    }
                }
                // Open only while nothing is due in the outbox, as far as this loop knows: an email
                // handed over then overtakes none that waited.
                lookDone(open: !moreDue && !claiming && !claimFailed)
            }
            timer?.cancel()
        }
        // Ended before the store is closed, so that no check outlives it.
        watcher?.cancel()
        await watcher?.value
    }

    /// Rings the loop when another process (`mailer queue retry`, `flush`) committed to the outbox,
    /// so what it made due goes out now rather than at the next idle look; nil when the storage
    /// cannot tell. A failed check is left to the idle look, which reports an unreadable outbox.
    private func watchForChangesElsewhere() -> Task<Void, Never>? {
        guard let interval = store.changeCheckInterval else { return nil }
        return Task { [store, signal] in
            _ = try? await store.changedElsewhere()  // the first answer sets where changes count from
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                if (try? await store.changedElsewhere()) == true { signal.ring() }
            }
        }
    }

    /// Bytes of emails claimed ahead, at most (beyond the first of a claim): they wait in memory,
    /// and with attachments (up to MAILER_MAX_MESSAGE_BYTES each) `claimLimit` emails could be
    /// gigabytes.
    static let claimAheadBytes = 32 << 20

    /// While emails are handed over, how often the loop still looks at the outbox for what
    /// nothing rang for (`mailer queue retry` and `flush` on SQLite, other replicas' emails).
    static let lookWhileHandingOver: Duration = .seconds(1)

    /// Claims again once fewer than this many emails wait for a connection: early enough that
    /// the claim is back before the connections run out of work.
    var claimLowWater: Int { max(sendSlots, claimLimit / 2) }

    /// Up to `limit` due emails of at most `maximumBytes` together (the first always comes); when
    /// fewer came, also when the next one is due.
    private func claim(limit: Int, maximumBytes: Int) async -> WorkerSignal.ClaimResult {
        do {
            let claimed = try await store.claimDue(limit: limit, maximumBytes: maximumBytes)
            let bytes = claimed.reduce(0) { $0 + $1.content.count }
            // Cut short by the byte budget rather than by what is due: look again (at worst once for nothing).
            if claimed.count == limit || (!claimed.isEmpty && bytes > maximumBytes / 2) {
                return .claimed(claimed, exhausted: false, nextDue: nil)
            }
            let nextDue = (try? await store.nextDueDate()) ?? nil
            return .claimed(claimed, exhausted: true, nextDue: nextDue)
        } catch {
            return .failed("\(error)")
        }
    }

    /// Claimed ahead but never started: back to the queue, so the next run (or a restart)
    /// sends them without counting an attempt.
    private func release(_ messages: [ClaimedMessage]) async {
        guard !messages.isEmpty else { return }
        do {
            try await store.unclaim(messages.map(\.id))
        } catch {
            logger.error("emails claimed ahead not put back; they are queued again at the next start", metadata: [
                "count": .stringConvertible(messages.count), "error": "\(error)",
            ])
        }
    }

    /// Until the next due time, at most `limit` (the storage's `idleLookInterval`: another process
    /// may change the schedule in the meantime).
    static func delay(until next: Date?, atMost limit: Duration) -> Duration {
        let most = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        let seconds = next.map { max(0, min($0.timeIntervalSinceNow, most)) } ?? most
        return .milliseconds(Int64(seconds * 1000) + 5)
    }

    private func schedule(after delay: Duration) -> Task<Void, Never> {
        Task { [signal] in
            try? await Task.sleep(for: delay)
            if !Task.isCancelled { signal.timerFired() }
        }
    }

    /// The worker's logger with the attempt's fields (email, template, attempt number, server,
    /// request id, recipient domain or addresses), which every line about the attempt carries.
    func attemptLogger(_ claimed: ClaimedMessage) -> Logger {
        let record = claimed.record
        var logger = self.logger
        var metadata: Logger.Metadata = [
            "email_id": "\(record.id)",
            "template": "\(record.template)",
            "attempt": .stringConvertible(claimed.attemptNumber),
            "smtp_host": "\(pool.client.configuration.host)",
        ]
        if let requestID = record.requestID { metadata["request_id"] = "\(requestID)" }
        if let first = record.recipients.first, let at = first.lastIndex(of: "@") {
            metadata["recipient_domain"] = "\(first[first.index(after: at)...])"
        }
        if logRecipients { metadata["recipient_addresses"] = .array(record.recipients.map { .string($0) }) }
        for (key, value) in metadata { logger[metadataKey: key] = value }
        return logger
    }

    /// - Returns: false when the outcome could not be recorded in the outbox.
    private func attempt(_ claimed: ClaimedMessage) async -> Bool {
        let record = claimed.record
        // The attempt's fields cost more than the rest of the attempt outside SQLite and the
        // socket; built up front only when a line of a delivered email can be emitted (info, or
        // the pool's notice about a replaced session), else only on the way to a failure's line.
        let eagerLogger = logger.logLevel <= .notice ? attemptLogger(claimed) : nil
        let mail = SMTPMail(sender: record.sender, recipients: record.recipients, content: claimed.content)
        let started = ContinuousClock.now
        let startedAt = Date()
        let sent: Result<(SMTPDeliveryReceipt, ProviderName), ProviderFailure>
        do {
            sent = .success(try await send(mail, claimed: claimed, logger: eagerLogger))
        } catch {
            sent = .failure(error)
        }
        // The connection is free for the next email while this outcome waits for its commit.
        signal.sendFinished()
        switch sent {
        case .success(let (receipt, provider)):
            let duration = Int((ContinuousClock.now - started).wholeMilliseconds)
            do {
                try await recordSent(record.id, receipt, provider: provider, startedAt: startedAt)
            } catch {
                // The send worked but the outbox could not record it: it stays `sending` and goes
                // again after a restart (at least once), which the log must say.
                (eagerLogger ?? attemptLogger(claimed)).critical("email sent but not recorded in the outbox; it may be sent again after a restart", metadata: ["error": "\(error)"])
                return false
            }
            // Counted once recorded, and before the waiting request hears of it, so that a client
            // that saw "sent" finds it counted.
            metrics?.emailSent(template: record.template)
            eagerLogger?.info("email sent", metadata: [
                "provider": "\(provider)",
                "duration_ms": .stringConvertible(duration),
                "smtp_code": .stringConvertible(receipt.reply.code),
                "smtp_reply": "\(receipt.reply.message)",
                "tls": "\(receipt.tlsVersion ?? "none")",
                "smtp_connection_message": .stringConvertible(receipt.messageNumberOnConnection),
            ])
            waiters.publish(record.id, .sent(receipt))
            return true
        case .failure(let failure):
            return await recordFailure(claimed, failure.error, provider: failure.provider, logger: eagerLogger ?? attemptLogger(claimed), started: started, startedAt: startedAt)
        }
    }

    private struct ProviderFailure: Error {
        let error: SMTPError
        let provider: ProviderName
    }

    /// Through the primary server; through the fallback when the primary could not be reached or
    /// spoken to at all (nothing of the message reached it, so it cannot arrive twice).
    ///
    /// - Parameter logger: the attempt's logger when it was built up front; else the pools get the
    ///   worker's own (their lines about a message are notices, below the level that filtered it).
    private func send(_ mail: SMTPMail, claimed: ClaimedMessage, logger eagerLogger: Logger?) async throws(ProviderFailure) -> (SMTPDeliveryReceipt, ProviderName) {
        let primaryError: SMTPError
        do {
            return (try await pool.send(mail, logger: eagerLogger ?? self.logger), .primary)
        } catch {
            primaryError = error
        }
        guard let fallback, Self.fallsBack(primaryError) else { throw ProviderFailure(error: primaryError, provider: .primary) }
        let logger = eagerLogger ?? attemptLogger(claimed)
        logger.warning("primary SMTP server unreachable; sending through the fallback", metadata: [
            "code": "\(primaryError.code.rawValue)", "error": "\(primaryError.message)",
            "smtp_fallback_host": "\(fallback.client.configuration.host)",
        ])
        do {
            return (try await fallback.send(mail, logger: logger), .fallback)
        } catch {
            throw ProviderFailure(error: error, provider: .fallback)
        }
    }

    /// ECONNREFUSED, ETIMEDOUT, EDNS, EHOSTUNREACH and ETLS before the session was established.
    static func fallsBack(_ error: SMTPError) -> Bool {
        let connectionLevel: [SMTPErrorCode] = [.connectionRefused, .timedOut, .dns, .hostUnreachable, .tls]
        let beforeSession: [SMTPPhase] = [.connect, .tlsHandshake, .greeting, .ehlo, .helo, .startTLS]
        return connectionLevel.contains(error.code) && (error.phase.map(beforeSession.contains) ?? true)
    }

    private func recordSent(_ id: String, _ receipt: SMTPDeliveryReceipt, provider: ProviderName, startedAt: Date) async throws {
        let reply = ServerReply(
            code: receipt.reply.code,
            enhancedCode: receipt.reply.enhancedStatusCode.map { "\($0)" },
            text: receipt.reply.message)
        try await store.recordSentOnly(id, reply: reply, provider: provider, startedAt: startedAt)
    }

    /// - Returns: false when the outcome could not be recorded in the outbox.
    private func recordFailure(_ claimed: ClaimedMessage, _ error: SMTPError, provider: ProviderName, logger: Logger, started: ContinuousClock.Instant, startedAt: Date) async -> Bool {
        let record = claimed.record
        // EAUTH and ECERT are configuration problems: mail waits until the operator fixes them,
        // as Postfix soft-bounces SASL failures, instead of failing every queued email.
        let retryable = error.isTransient || error.code == .authentication || error.code == .certificate
        let decision = retryPolicy.decision(afterAttempt: claimed.attemptNumber, firstQueuedAt: record.createdAt, now: Date(), transient: retryable)
        let failure = DeliveryError(
            code: error.code.rawValue,
            hint: error.hint,
            detail: error.message,
            reply: error.reply.map { ServerReply(code: $0.code, enhancedCode: $0.enhancedStatusCode.map { "\($0)" }, text: $0.message) })
        var metadata: Logger.Metadata = [
            "provider": "\(provider)",
            "duration_ms": .stringConvertible(Int((ContinuousClock.now - started).wholeMilliseconds)),
            "code": "\(error.code.rawValue)",
            "hint": "\(error.hint)",
            "error": "\(error.message)",
            "transient": "\(error.isTransient)",
        ]
        if let reply = error.reply {
            metadata["smtp_code"] = .stringConvertible(reply.code)
            metadata["smtp_reply"] = "\(reply.message)"
        }
        if let command = error.command { metadata["smtp_command"] = "\(command)" }
        if let phase = error.phase { metadata["phase"] = "\(phase)" }
        if let enhanced = error.enhancedStatusCode { metadata["smtp_enhanced_code"] = "\(enhanced)" }
        if !error.rejectedRecipients.isEmpty { metadata["rejected_recipients"] = .array(error.rejectedRecipients.map { .string($0) }) }
        if let reason = error.tlsReason { metadata["tls_reason"] = "\(reason)" }
        do {
            switch decision {
            case .retry(let next):
                try await store.recordDeferredOnly(record.id, error: failure, nextAttemptAt: next, provider: provider, startedAt: startedAt)
                signal.retryScheduled(at: next)
                metrics?.emailDeferred(template: record.template, code: error.code.rawValue)
                metadata["next_attempt_at"] = "\(next.formatted(.iso8601))"
                let level: Logger.Level = error.code == .authentication || error.code == .certificate ? .error : .warning
                logger.log(level: level, "email deferred", metadata: metadata)
                waiters.publish(record.id, .deferred(error, nextAttempt: next))
            case .giveUp(let reason):
                try await store.recordFailedOnly(record.id, error: failure, provider: provider, startedAt: startedAt)
                metrics?.emailFailed(template: record.template, code: error.code.rawValue)
                metadata["reason"] = "\(reason)"
                logger.error("email not sent", metadata: metadata)
                waiters.publish(record.id, .failed(error))
            }
        } catch {
            logger.critical("attempt not recorded in the outbox; the email is retried after a restart", metadata: ["error": "\(error)"])
            return false
        }
        return true
    }

}
