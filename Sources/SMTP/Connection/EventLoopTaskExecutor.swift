import NIOCore

/// Runs Swift tasks on one event loop. A task that prefers it (`withTaskExecutorPreference`) and
/// sends through connections of that loop never changes threads: its calls into the channel are
/// direct and each await on a channel's future resumes on the loop itself, which saves the two
/// thread wake-ups per message that a task on the global executor pays.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
