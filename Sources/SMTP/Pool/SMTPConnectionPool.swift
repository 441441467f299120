import Foundation
import Logging
import NIOCore
import Synchronization

/// Sends messages over a few long-lived sessions instead of one session per message, which saves
/// the TCP, TLS and AUTH round trips (most of the time of a small message) and stays under the
/// providers' connection limits.
///
/// An idle session the server closed meanwhile (its idle timeout, a restart, a 421) is noticed
/// before use and replaced. When the server closes it at the very moment a message starts, the
/// message goes out on another session, but only when the server had not accepted any part of it
/// (`SMTPError.isSafeToRetryOnNewConnection`): a message is never sent twice by the pool.
public final class SMTPConnectionPool: Sendable {
    public let client: SMTPClient
    public let configuration: SMTPPoolConfiguration
    private let logger: Logger
    private let rateLimiter: SMTPRateLimiter?
    private let observer: (any SMTPPoolObserver)?
    private let state: Mutex<State>

    private typealias Machine = ConnectionPoolStateMachine<SMTPConnection>

    private enum Grant {
        case pool(Machine.Grant)
        case cancelled
    }

    private struct State {
        var machine: Machine
        var waiting: [Int: CheckedContinuation<Grant, Never>] = [:]
        /// Waiters that have an id but have not reached the state machine yet; a cancellation in
        /// that window is remembered here and honoured when they arrive.
        var arriving: Set<Int> = []
        var cancelledWhileArriving: Set<Int> = []
        /// At most one pending timer per connection. It is not moved at each release nor
        /// cancelled at each lease (under load that was a heap insertion and removal on the event
        /// loop, inside this lock, per message): when it fires it looks at `idleDeadlines` and
        /// closes the connection, or goes off again at the later deadline.
        var idleTimers: [Int: Scheduled<Void>] = [:]
        /// The idle period each connection started last: its state machine token and when it ends.
        var idleDeadlines: [Int: (token: Int, deadline: NIODeadline)] = [:]
        var nextWaiterID = 1
        var statistics = SMTPPoolStatistics()
        var lastConnectionAttempt: SMTPConnectionAttempt?
    }

    /// - Parameter logger: for the pool's own events (sessions opened, retired, replaced); each
    ///   message's events go to the logger passed to `send`.
    /// - Parameter observer: told the duration of every session opened and every transaction.
    public init(
        client: SMTPClient,
        configuration: SMTPPoolConfiguration = SMTPPoolConfiguration(),
        logger: Logger = Logger(label: "smtp.pool"),
        observer: (any SMTPPoolObserver)? = nil
    ) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.observer = observer
        self.rateLimiter = configuration.rateLimit.map(SMTPRateLimiter.init(messagesPerSecond:))
        self.state = Mutex(State(machine: Machine(size: configuration.size, maximumUses: configuration.maximumMessagesPerConnection)))
    }

    /// Counters since the pool started, for logs, metrics and tests.
    public var statistics: SMTPPoolStatistics { state.withLock { $0.statistics } }

    /// Sessions carrying a message or being opened right now (at most `configuration.size`).
    public var connectionsInUse: Int { state.withLock { $0.machine.busy } }

    /// The last attempt to open a session; nil until the first message needed one.
    public var lastConnectionAttempt: SMTPConnectionAttempt? { state.withLock { $0.lastConnectionAttempt } }

    /// Sends one message on a pooled session, opening one when none is idle and the pool is not full,
    /// else waiting for one. Waits first for the rate limit, when one is set.
    public func send(_ mail: SMTPMail, logger: Logger) async throws(SMTPError) -> SMTPDeliveryReceipt {
        if let rateLimiter {
            do { try await rateLimiter.waitForTurn() } catch { throw .notStarted(client.configuration, because: "cancelled while waiting for the rate limit (SMTP_RATE_LIMIT)") }
        }
        // Each retry follows a reused session that turned out closed; a fresh session's failure is final.
        var attemptsLeft = configuration.size + 1
        while true {
            attemptsLeft -= 1
            let (entry, reused) = try await lease()
            let started = ContinuousClock.now
            do {
                let receipt = try await entry.connection.send(mail)
                release(entry, reusable: entry.connection.isUsable)
                observer?.transactionFinished(after: ContinuousClock.now - started, error: nil)
                return receipt
            } catch {
                // A refused recipient or message leaves the session intact (RSET comes next).
                release(entry, reusable: entry.connection.isUsable)
                guard reused, error.isSafeToRetryOnNewConnection, attemptsLeft > 0 else {
                    observer?.transactionFinished(after: ContinuousClock.now - started, error: error)
                    throw error
                }
                state.withLock { $0.statistics.staleConnectionsReplaced += 1 }
                logger.notice("pooled SMTP connection was closed by the server; sending on another", metadata: [
                    "reason": "\(error.message)",
                ])
            }
        }
    }

    /// Closes idle sessions with QUIT and refuses new sends; sessions still carrying a message are
    /// closed when it is done. Call after the last `send` has returned.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            let (idle, waiterIDs) = state.machine.shutDown()
            for timer in state.idleTimers.values { timer.cancel() }
            state.idleTimers = [:]
            state.idleDeadlines = [:]
            let waiters = waiterIDs.compactMap { state.waiting.removeValue(forKey: $0) }
            return (idle, waiters)
        }
        for waiter in waiters { waiter.resume(returning: .pool(.shutDown)) }
        await withTaskGroup(of: Void.self) { group in
            for connection in idle {
                group.addTask { await connection.close() }
            }
        }
    }

    // MARK: Leases

    private func lease() async throws(SMTPError) -> (entry: Machine.Entry, reused: Bool) {
        switch await grant() {
        case .pool(.use(let entry)):
            state.withLock { $0.statistics.messagesOnReusedConnections += 1 }
            return (entry, true)
        case .pool(.create):
            let started = ContinuousClock.now
            do {
                let connection = try await client.connect(logger: logger)
                let duration = ContinuousClock.now - started
                let entry = state.withLock { state in
                    state.statistics.connectionsOpened += 1
                    state.lastConnectionAttempt = SMTPConnectionAttempt(finishedAt: Date(), duration: duration, error: nil)
                    return state.machine.connected(connection)
                }
                observer?.sessionOpened(after: duration)
                logger.debug("SMTP connection opened", metadata: [
                    "connection": "\(entry.id)",
                    "tls": "\(connection.session.tlsVersion ?? "none")",
                ])
                return (entry, false)
            } catch {
                let attempt = SMTPConnectionAttempt(finishedAt: Date(), duration: ContinuousClock.now - started, error: error)
                let wakeup = state.withLock { state in
                    state.lastConnectionAttempt = attempt
                    return Self.takeWaiter(state.machine.connectFailed(), from: &state)
                }
                Self.resume(wakeup)
                throw error
            }
        case .pool(.shutDown):
            throw .notStarted(client.configuration, because: "the mailer is shutting down")
        case .cancelled:
            throw .notStarted(client.configuration, because: "cancelled while waiting for a free SMTP connection (SMTP_POOL_SIZE)")
        }
    }

    private func grant() async -> Grant {
        let waiter = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            state.arriving.insert(state.nextWaiterID)
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Grant, Never>) in
                let (immediate, discard) = state.withLock { state -> (Grant?, [Machine.Entry]) in
                    state.arriving.remove(waiter)
                    if state.cancelledWhileArriving.remove(waiter) != nil { return (.cancelled, []) }
                    let (result, discard) = state.machine.lease(waiter: waiter, isUsable: { $0.isUsable })
                    state.statistics.staleConnectionsReplaced += discard.count
                    for entry in discard { Self.forgetIdleTimer(entry.id, in: &state) }
                    switch result {
                    case .granted(let grant):
                        // A leased connection's timer stays: it finds the idle period it was set
                        // for over (a stale token) and lets the next release set it again.
                        return (.pool(grant), discard)
                    case .wait:
                        state.waiting[waiter] = continuation
                        return (nil, discard)
                    }
                }
                for entry in discard {
                    logger.debug("pooled SMTP connection was closed while idle; replacing it", metadata: ["connection": "\(entry.id)"])
                    entry.connection.beginClosing()
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Grant, Never>? in
                if let continuation = state.waiting.removeValue(forKey: waiter) {
                    state.machine.cancelWaiting(waiter)
                    return continuation
                }
                if state.arriving.contains(waiter) { state.cancelledWhileArriving.insert(waiter) }
                return nil
            }
            continuation?.resume(returning: .cancelled)
        }
    }

    private func release(_ entry: Machine.Entry, reusable: Bool) {
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        let (actions, wakeup) = state.withLock { state in
            let actions = state.machine.release(entry, reusable: reusable)
            if let (entryID, token) = actions.startIdleTimer {
                let deadline = NIODeadline.now() + idleTimeout
                state.idleDeadlines[entryID] = (token, deadline)
                // Under the lock, so that a lease of this connection cannot come between putting it
                // idle and storing its timer (scheduling only queues the task on the loop).
                if state.idleTimers[entryID] == nil {
                    state.idleTimers[entryID] = scheduleIdleTimer(entryID: entryID, at: deadline, on: entry.connection.eventLoop)
                }
            }
            if actions.close != nil { Self.forgetIdleTimer(entry.id, in: &state) }
            return (actions, Self.takeWaiter(actions.wakeup, from: &state))
        }
        if let connection = actions.close {
            connection.beginClosing()
        }
        Self.resume(wakeup)
    }

    private func scheduleIdleTimer(entryID: Int, at deadline: NIODeadline, on eventLoop: any EventLoop) -> Scheduled<Void> {
        eventLoop.scheduleTask(deadline: deadline) { [weak self] in
            guard let self else { return }
            self.idleTimerFired(entryID: entryID, eventLoop: eventLoop)
        }
    }

    private func idleTimerFired(entryID: Int, eventLoop: any EventLoop) {
        let connection = state.withLock { state -> SMTPConnection? in
            state.idleTimers[entryID] = nil
            guard let (token, deadline) = state.idleDeadlines[entryID] else { return nil }
            if NIODeadline.now() < deadline {
                // Used and put back since this timer was set: wait out the new idle period.
                state.idleTimers[entryID] = scheduleIdleTimer(entryID: entryID, at: deadline, on: eventLoop)
                return nil
            }
            // Nil when the connection is leased again (its next release sets a timer anew).
            let connection = state.machine.idleTimerFired(entryID: entryID, token: token)
            if connection != nil {
                state.idleDeadlines[entryID] = nil
                state.statistics.idleConnectionsClosed += 1
            }
            return connection
        }
        guard let connection else { return }
        logger.debug("closing idle SMTP connection", metadata: ["connection": "\(entryID)"])
        connection.beginClosing()
    }

    /// Takes the woken waiter out of the table under the same lock as the state machine decided,
    /// so that a cancellation cannot slip in between and lose the grant (a leased slot).
    private static func takeWaiter(_ wakeup: Machine.Wakeup?, from state: inout State) -> (CheckedContinuation<Grant, Never>, Machine.Grant)? {
        guard let wakeup, let continuation = state.waiting.removeValue(forKey: wakeup.waiter) else { return nil }
        return (continuation, wakeup.grant)
    }

    /// A connection that is gone (closed, or found dead while idle) needs its timer no more.
    private static func forgetIdleTimer(_ entryID: Int, in state: inout State) {
        state.idleTimers.removeValue(forKey: entryID)?.cancel()
        state.idleDeadlines[entryID] = nil
    }

    private static func resume(_ wakeup: (CheckedContinuation<Grant, Never>, Machine.Grant)?) {
        guard let (continuation, grant) = wakeup else { return }
        continuation.resume(returning: .pool(grant))
    }
}
