/// The bookkeeping of a connection pool, apart from any I/O so that every decision can be tested
/// without a socket: who gets an idle connection, who may open a new one, who waits, what to close.
///
/// The caller (``SMTPConnectionPool``) holds it under a lock, performs the actions it returns
/// (open, close, resume a waiter, start an idle timer) outside the lock, and reports back.
struct ConnectionPoolStateMachine<Connection> {
    struct Entry {
        let id: Int
        let connection: Connection
        /// Messages started on this connection, the current one included.
        var uses: Int
    }

    enum Grant {
        /// Send on this connection; it was open and idle.
        case use(Entry)
        /// Open a new connection (the slot is reserved), then report ``connected(_:)`` or ``connectFailed()``.
        case create
        /// The pool is closed: send nothing.
        case shutDown
    }

    enum LeaseResult {
        case granted(Grant)
        /// Every slot is taken: the waiter is queued and gets a grant from a later release.
        case wait
    }

    /// A queued waiter that is to be resumed with a grant.
    struct Wakeup {
        let waiter: Int
        let grant: Grant
    }

    struct ReleaseActions {
        /// Close this connection (QUIT): worn out, broken, or the pool is closing.
        var close: Connection?
        var wakeup: Wakeup?
        /// The connection went idle: close it when this timer fires, unless it was leased again.
        var startIdleTimer: (entryID: Int, token: Int)?
    }

    let size: Int
    let maximumUses: Int
    /// Most recently used last: leases take from the end, so the connections at the front sit
    /// unused and reach the idle timeout, and the pool shrinks to what the load needs.
    private(set) var idle: [(entry: Entry, token: Int)] = []
    /// Leased connections plus connections being opened.
    private(set) var busy = 0
    private(set) var waiters: [Int] = []
    private(set) var isShutDown = false
    private var nextEntryID = 1
    private var nextToken = 1

    init(size: Int, maximumUses: Int) {
        self.size = max(1, size)
        self.maximumUses = max(1, maximumUses)
    }

    /// `isUsable` tells whether an idle connection is still open: the server may have closed it
    /// while it sat here. Such entries come back in `discard`, to be closed and forgotten (their
    /// idle timers too).
    mutating func lease(waiter: Int, isUsable: (Connection) -> Bool) -> (result: LeaseResult, discard: [Entry]) {
        guard !isShutDown else { return (.granted(.shutDown), []) }
        var discard: [Entry] = []
        while let (entry, _) = idle.popLast() {
            guard isUsable(entry.connection) else {
                discard.append(entry)
                continue
            }
            busy += 1
            return (.granted(.use(Self.used(entry))), discard)
        }
        if busy < size {
            busy += 1
            return (.granted(.create), discard)
        }
        waiters.append(waiter)
        return (.wait, discard)
    }

    /// A connection opened after a `.create` grant, counted as carrying its first message.
    mutating func connected(_ connection: Connection) -> Entry {
        defer { nextEntryID += 1 }
        return Entry(id: nextEntryID, connection: connection, uses: 1)
    }

    /// Opening failed: the slot is free again, and the longest waiter may try its own luck (its
    /// message deserves its own attempt and its own error).
    mutating func connectFailed() -> Wakeup? {
        busy -= 1
        return wakeNextToCreate()
    }

    /// The message on `entry` is done. `reusable` says whether the connection can take another
    /// message (the session is intact and open).
    mutating func release(_ entry: Entry, reusable: Bool) -> ReleaseActions {
        var actions = ReleaseActions()
        guard reusable, !isShutDown, entry.uses < maximumUses else {
            busy -= 1
            actions.close = entry.connection
            actions.wakeup = wakeNextToCreate()
            return actions
        }
        if !waiters.isEmpty {
            actions.wakeup = Wakeup(waiter: waiters.removeFirst(), grant: .use(Self.used(entry)))
            return actions
        }
        busy -= 1
        let token = nextToken
        nextToken += 1
        idle.append((entry, token))
        actions.startIdleTimer = (entry.id, token)
        return actions
    }

    /// The idle timer of a connection fired: close it if it has been idle since that timer started.
    mutating func idleTimerFired(entryID: Int, token: Int) -> Connection? {
        guard let index = idle.firstIndex(where: { $0.entry.id == entryID && $0.token == token }) else { return nil }
        return idle.remove(at: index).entry.connection
    }

    /// A waiting task was cancelled before it got a grant.
    mutating func cancelWaiting(_ waiter: Int) {
        waiters.removeAll { $0 == waiter }
    }

    /// Stops the pool: idle connections to close now, waiters to tell. Leased connections are closed
    /// as they are released.
    mutating func shutDown() -> (close: [Connection], waiters: [Int]) {
        isShutDown = true
        defer {
            idle = []
            waiters = []
        }
        return (idle.map(\.entry.connection), waiters)
    }

    private mutating func wakeNextToCreate() -> Wakeup? {
        guard !waiters.isEmpty, busy < size else { return nil }
        busy += 1
        return Wakeup(waiter: waiters.removeFirst(), grant: .create)
    }

    private static func used(_ entry: Entry) -> Entry {
        var entry = entry
        entry.uses += 1
        return entry
    }
}

extension ConnectionPoolStateMachine: Sendable where Connection: Sendable {}
extension ConnectionPoolStateMachine.Entry: Sendable where Connection: Sendable {}
extension ConnectionPoolStateMachine.Grant: Sendable where Connection: Sendable {}
extension ConnectionPoolStateMachine.LeaseResult: Sendable where Connection: Sendable {}
extension ConnectionPoolStateMachine.Wakeup: Sendable where Connection: Sendable {}
extension ConnectionPoolStateMachine.ReleaseActions: Sendable where Connection: Sendable {}
