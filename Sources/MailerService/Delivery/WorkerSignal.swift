import Foundation
import Outbox
import Synchronization

/// What happened since the delivery loop last looked, gathered into one wake-up.
///
/// Under load every accepted email rings the doorbell; an `AsyncStream` would make the loop claim
/// once per ring, while this folds any number of rings into one look at the outbox.
final class WorkerSignal: Sendable {
    /// What a claim found, for the loop that asked.
    enum ClaimResult: Sendable {
        /// `exhausted`: fewer than asked for were due; `nextDue`: when the next waiting email is.
        case claimed([ClaimedMessage], exhausted: Bool, nextDue: Date?)
        case failed(String)
    }

    struct Events: Sendable {
        /// New or newly due emails (an enqueue, a retry, a flush).
        var doorbell = false
        /// The timer for the next scheduled attempt went off.
        var due = false
        var shutdown = false
        /// Attempts that let go of their SMTP connection.
        var sendsFinished = 0
        /// Attempts whose outcome is now recorded in the outbox.
        var attemptsFinished = 0
        /// Attempts whose outcome the outbox could not record (counted in `attemptsFinished` too).
        var recordsFailed = 0
        /// The claim under way is back (there is one at a time).
        var claim: ClaimResult?
        /// Accepted emails stored claimed for this worker (`HandOffGate`), in the order stored.
        var handedOver: [ClaimedMessage] = []
        /// Places of the gate given back; only a stopping loop waits for them.
        var placesGivenBack = 0
        /// The earliest next attempt of the attempts deferred since the last look.
        var earliestRetry: Date?

        var isEmpty: Bool {
            !doorbell && !due && !shutdown && sendsFinished == 0 && attemptsFinished == 0 && recordsFailed == 0 && claim == nil
                && handedOver.isEmpty && placesGivenBack == 0 && earliestRetry == nil
        }
    }

    private struct State {
        var events = Events()
        var waiter: CheckedContinuation<Events, Never>?
    }

    private let state = Mutex(State())

    func ring() { update { $0.doorbell = true } }
    func timerFired() { update { $0.due = true } }
    func shutdown() { update { $0.shutdown = true } }
    func sendFinished() { update { $0.sendsFinished += 1 } }
    func attemptFinished() { update { $0.attemptsFinished += 1 } }
    func recordFailed() { update { $0.recordsFailed += 1 } }
    func claimFinished(_ result: ClaimResult) { update { $0.claim = result } }
    func handOver(_ message: ClaimedMessage) { update { $0.handedOver.append(message) } }
    func placeGivenBack() { update { $0.placesGivenBack += 1 } }
    func retryScheduled(at date: Date) { update { $0.earliestRetry = min($0.earliestRetry ?? date, date) } }

    /// Everything since the last call, waiting until there is something. One caller at a time.
    func next() async -> Events {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Events? in
                if state.events.isEmpty {
                    state.waiter = continuation
                    return nil
                }
                defer { state.events = Events() }
                return state.events
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func update(_ change: (inout Events) -> Void) {
        let resume = state.withLock { state -> (CheckedContinuation<Events, Never>, Events)? in
            change(&state.events)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            defer { state.events = Events() }
            return (waiter, state.events)
        }
        if let (waiter, events) = resume { waiter.resume(returning: events) }
    }
}
