import Synchronization

/// Callers waiting (`Prefer: wait=N`) for the first attempt on an email, by email id.
///
/// The HTTP request registers before the email is stored, so an attempt that finishes before the
/// request starts waiting is not missed; it removes its entry when it stops waiting.
public final class DeliveryWaiters: Sendable {
    private let handles = Mutex<[String: DeliveryHandle]>([:])

    public init() {}

    /// The handle the outcome of `id`'s next attempt will complete.
    func register(_ id: String) -> DeliveryHandle {
        handles.withLock { handles in
            if let existing = handles[id] { return existing }
            let handle = DeliveryHandle(id: id)
            handles[id] = handle
            return handle
        }
    }

    func unregister(_ id: String) {
        _ = handles.withLock { $0.removeValue(forKey: id) }
    }

    /// Tells whoever waits for `id`; nobody waiting is the common case and costs a lookup.
    func publish(_ id: String, _ outcome: DeliveryOutcome) {
        let handle = handles.withLock { $0.removeValue(forKey: id) }
        handle?.complete(outcome)
    }
}
