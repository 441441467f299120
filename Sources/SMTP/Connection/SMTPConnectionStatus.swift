import Synchronization

/// Whether a connection can take another message, written by the session handler on the event
/// loop and read by the connection's owner (a pool) on any thread.
final class SMTPConnectionStatus: Sendable {
    private let usable = Mutex(false)

    var isUsable: Bool { usable.withLock { $0 } }

    func update(usable value: Bool) {
        usable.withLock { $0 = value }
    }
}
