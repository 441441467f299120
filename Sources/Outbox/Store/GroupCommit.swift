import Synchronization

/// Gathers the jobs that arrive while a transaction is being committed and runs them together in
/// the next one, so that many callers share one commit (one fsync) instead of queueing for one each.
///
/// Each caller still gets its own answer: `run` hands a batch to `commit`, which returns one
/// result per job, in order. A job that fails alone (a bad id, an illegal state change) fails only
/// its caller; when the whole transaction fails, `commit` is expected to try the jobs one by one so
/// that one bad job never takes the others down with it (see `OutboxStore`'s batches).
package final class GroupCommit<Job: Sendable, Output: Sendable>: Sendable {
    package typealias Commit = @Sendable ([Job]) async -> [Result<Output, any Error>]

    private struct Waiting {
        var job: Job
        var continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var committing = false
    }

    private let state = Mutex(State())
    private let maximumBatch: Int
    private let commit: Commit

    /// - Parameter maximumBatch: jobs per transaction at most, which bounds the statement sizes
    ///   (SQLite's limit on bound parameters) and how long one transaction holds the writer.
    package init(maximumBatch: Int, commit: @escaping Commit) {
        precondition(maximumBatch > 0)
        self.maximumBatch = maximumBatch
        self.commit = commit
    }

    /// Runs `job` in the next transaction and returns its output once that transaction is on disk.
    ///
    /// The job runs even if the calling task is cancelled meanwhile: a stored email cannot be
    /// taken back, so its caller must learn that it was stored.
    package func run(_ job: Job) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let startCommitter = state.withLock { state in
                state.waiting.append(Waiting(job: job, continuation: continuation))
                if state.committing { return false }
                state.committing = true
                return true
            }
            if startCommitter {
                Task { await self.commitUntilIdle() }
            }
        }
    }

    private func commitUntilIdle() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let count = min(state.waiting.count, maximumBatch)
                if count == 0 {
                    state.committing = false
                    return []
                }
                let batch = Array(state.waiting.prefix(count))
                state.waiting.removeFirst(count)
                return batch
            }
            if batch.isEmpty { return }
            let results = await commit(batch.map(\.job))
            for (index, waiting) in batch.enumerated() {
                if index < results.count {
                    waiting.continuation.resume(with: results[index])
                } else {
                    waiting.continuation.resume(throwing: OutboxError.invalidArgument("internal error: a batch of \(batch.count) returned \(results.count) results"))
                }
            }
        }
    }
}
