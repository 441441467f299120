import Synchronization

/// Lets one task at a time through, in arrival order.
///
/// A transaction is several awaited statements on one SQLite connection; without the gate, a
/// second caller's BEGIN could land between them and fail ("cannot start a transaction within a
/// transaction") or, worse, run inside the first caller's transaction.
final class SerialGate: Sendable {
    private struct State {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func run<T>(_ body: () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        let entered = state.withLock { state in
            if state.busy { return false }
            state.busy = true
            return true
        }
        if entered { return }
        await withCheckedContinuation { continuation in
            let enterNow = state.withLock { state in
                if !state.busy {
                    state.busy = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if enterNow { continuation.resume() }
        }
    }

    private func leave() {
        // The gate stays busy when a waiter is resumed: it is handed over, never left open for
        // a newcomer to overtake the queue.
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
