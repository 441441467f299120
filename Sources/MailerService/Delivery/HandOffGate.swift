import Synchronization

/// Whether a freshly accepted email may go straight to the delivery loop: stored already claimed
/// (`sending`) and handed over in memory, instead of stored queued and then claimed, which writes
/// the row again and reads the bytes back a moment later.
///
/// The loop opens the gate only while it knows the outbox holds nothing due (its last claim came
/// back short and nothing rang since), so a handed-over email never overtakes one that waited;
/// and only for as many emails and bytes as it would claim ahead itself. It closes the gate while
/// it claims, after a claim failed, while it is paused, and when it stops.
///
/// A request that got a place settles it exactly once: it hands the email over (settled when the
/// loop takes it in) or gives the place back (a duplicate, or the outbox refused the email). The
/// loop does not finish stopping while a place is out.
final class HandOffGate: Sendable {
    private struct State {
        var open = false
        /// What the loop takes on top of what it holds, as of its last look.
        var capacity = 0
        var capacityBytes = 0
        /// Places taken and not yet settled.
        var outstanding = 0
        var outstandingBytes = 0
    }

    private let state = Mutex(State())

    /// A place for an email of `bytes`; false when the gate is closed or full.
    func reserve(bytes: Int) -> Bool {
        state.withLock { state in
            guard state.open, state.outstanding < state.capacity, state.outstandingBytes + bytes <= state.capacityBytes else { return false }
            state.outstanding += 1
            state.outstandingBytes += bytes
            return true
        }
    }

    /// A place given back: nothing is handed over for it.
    func giveBack(bytes: Int) {
        state.withLock { state in
            state.outstanding -= 1
            state.outstandingBytes -= bytes
        }
    }

    /// The loop's look, in one step so that no request sees the emails it took in counted twice
    /// or not at all: the emails (and bytes) handed over that it now holds, and how many more it
    /// takes on top of everything it holds.
    func update(open: Bool, capacity: Int, capacityBytes: Int, tookIn: Int = 0, tookInBytes: Int = 0) {
        state.withLock { state in
            state.outstanding -= tookIn
            state.outstandingBytes -= tookInBytes
            state.open = open
            state.capacity = capacity
            state.capacityBytes = capacityBytes
        }
    }

    /// Places taken and not yet settled, and the bytes of their emails.
    var outstandingPlaces: (count: Int, bytes: Int) { state.withLock { ($0.outstanding, $0.outstandingBytes) } }
}
