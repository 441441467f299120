import Foundation
import Synchronization

/// The caller's view of one accepted email: its id, and its outcome once known.
///
/// Waiting is cancellable and bounded (`Prefer: wait=N`); the delivery itself carries on
/// regardless of whether anybody still waits for it.
public final class DeliveryHandle: Sendable {
    public let id: String

    private enum State {
        case pending(waiters: [Int: CheckedContinuation<DeliveryOutcome?, Never>], cancelled: Set<Int>, nextToken: Int)
        case done(DeliveryOutcome)
    }
    private let state = Mutex(State.pending(waiters: [:], cancelled: [], nextToken: 0))

    init(id: String) {
        self.id = id
    }

    public var outcome: DeliveryOutcome? {
        state.withLock { state in
            if case .done(let outcome) = state { return outcome }
            return nil
        }
    }

    func complete(_ outcome: DeliveryOutcome) {
        let waiters = state.withLock { state -> [CheckedContinuation<DeliveryOutcome?, Never>] in
            guard case .pending(let waiters, _, _) = state else { return [] }
            state = .done(outcome)
            return Array(waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: outcome) }
    }

    /// The outcome, or nil if it is not known within `timeout`.
    public func outcome(within timeout: Duration) async -> DeliveryOutcome? {
        if let outcome { return outcome }
        return await withTaskGroup(of: DeliveryOutcome?.self) { group in
            group.addTask { await self.waitForOutcome() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? self.outcome
        }
    }

    /// Suspends until the outcome is known; returns nil early when the waiting task is cancelled.
    private func waitForOutcome() async -> DeliveryOutcome? {
        let token = state.withLock { state -> Int? in
            guard case .pending(let waiters, let cancelled, let next) = state else { return nil }
            state = .pending(waiters: waiters, cancelled: cancelled, nextToken: next + 1)
            return next
        }
        guard let token else { return outcome }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: DeliveryOutcome?? = state.withLock { state in
                    switch state {
                    case .done(let outcome):
                        return .some(outcome)
                    case .pending(var waiters, var cancelled, let next):
                        // The cancellation handler may have run before we got here.
                        if cancelled.remove(token) != nil {
                            state = .pending(waiters: waiters, cancelled: cancelled, nextToken: next)
                            return .some(nil)
                        }
                        waiters[token] = continuation
                        state = .pending(waiters: waiters, cancelled: cancelled, nextToken: next)
                        return .none
                    }
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<DeliveryOutcome?, Never>? in
                guard case .pending(var waiters, var cancelled, let next) = state else { return nil }
                let waiter = waiters.removeValue(forKey: token)
                if waiter == nil { cancelled.insert(token) }
                state = .pending(waiters: waiters, cancelled: cancelled, nextToken: next)
                return waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
