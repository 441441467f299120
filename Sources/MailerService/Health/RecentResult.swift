import Synchronization

/// One computation shared by every caller for `maximumAge`: callers arriving meanwhile get the
/// same answer (or wait for the same computation still under way) instead of starting their own.
///
/// `GET /readyz` is unauthenticated and its outbox probe is a committed write (an fsync): without
/// this, anyone who can reach the port could make the single writer fsync as fast as they ask.
final class RecentResult<Value: Sendable>: Sendable {
    private struct Entry {
        var started: ContinuousClock.Instant
        var task: Task<Value, Never>
    }

    private let state = Mutex<Entry?>(nil)
    let maximumAge: Duration

    init(maximumAge: Duration) {
        self.maximumAge = maximumAge
    }

    func value(_ compute: @escaping @Sendable () async -> Value) async -> Value {
        let task = state.withLock { entry -> Task<Value, Never> in
            let now = ContinuousClock.now
            if let current = entry, now - current.started < maximumAge { return current.task }
            let task = Task { await compute() }
            entry = Entry(started: now, task: task)
            return task
        }
        return await task.value
    }
}
