import Testing
@testable import SMTP

/// Every decision of the pool, without a socket: connections are plain objects here.
@Suite struct ConnectionPoolStateMachineTests {
    final class FakeConnection {
        let name: String
        var isOpen = true
        init(_ name: String) { self.name = name }
    }

    typealias Machine = ConnectionPoolStateMachine<FakeConnection>

    static func leaseGrant(_ machine: inout Machine, waiter: Int = 0) -> Machine.Grant? {
        if case .granted(let grant) = machine.lease(waiter: waiter, isUsable: { $0.isOpen }).result { return grant }
        return nil
    }

    static func created(_ machine: inout Machine, _ name: String) -> Machine.Entry {
        guard case .create? = leaseGrant(&machine) else {
            Issue.record("expected a grant to open a connection")
            return machine.connected(FakeConnection("unexpected"))
        }
        return machine.connected(FakeConnection(name))
    }

    @Test func anEmptyPoolGrantsOpeningUpToItsSizeThenQueues() {
        var machine = Machine(size: 2, maximumUses: 100)
        _ = Self.created(&machine, "a")
        _ = Self.created(&machine, "b")
        let third = machine.lease(waiter: 7, isUsable: { $0.isOpen })
        guard case .wait = third.result else { Issue.record("a third sender must wait, got \(third.result)"); return }
        #expect(machine.waiters == [7])
        #expect(machine.busy == 2)
    }

    @Test func aReleasedConnectionIsReusedAndCountsItsMessages() {
        var machine = Machine(size: 1, maximumUses: 100)
        let first = Self.created(&machine, "a")
        #expect(first.uses == 1)
        let actions = machine.release(first, reusable: true)
        #expect(actions.close == nil)
        #expect(actions.startIdleTimer?.entryID == first.id)
        #expect(machine.busy == 0)
        guard case .use(let again)? = Self.leaseGrant(&machine) else { Issue.record("the idle connection should be reused"); return }
        #expect(again.connection === first.connection)
        #expect(again.uses == 2)
    }

    @Test func theMostRecentlyUsedConnectionIsTakenFirstSoTheOthersCanAgeOut() {
        var machine = Machine(size: 2, maximumUses: 100)
        let a = Self.created(&machine, "a")
        let b = Self.created(&machine, "b")
        _ = machine.release(a, reusable: true)
        _ = machine.release(b, reusable: true)
        guard case .use(let next)? = Self.leaseGrant(&machine) else { Issue.record("expected reuse"); return }
        #expect(next.connection.name == "b")
    }

    @Test func aConnectionTheServerClosedWhileIdleIsDiscardedNotUsed() {
        var machine = Machine(size: 2, maximumUses: 100)
        let a = Self.created(&machine, "a")
        _ = machine.release(a, reusable: true)
        a.connection.isOpen = false
        let (result, discard) = machine.lease(waiter: 0, isUsable: { $0.isOpen })
        #expect(discard.map(\.connection.name) == ["a"])
        guard case .granted(.create) = result else { Issue.record("a new connection should be opened, got \(result)"); return }
        #expect(machine.idle.isEmpty)
        #expect(machine.busy == 1)
    }

    @Test func aWornOutConnectionIsClosedAtItsLimit() {
        var machine = Machine(size: 1, maximumUses: 2)
        var entry = Self.created(&machine, "a")
        _ = machine.release(entry, reusable: true)
        guard case .use(let second)? = Self.leaseGrant(&machine) else { Issue.record("expected reuse"); return }
        entry = second
        #expect(entry.uses == 2)
        let actions = machine.release(entry, reusable: true)
        #expect(actions.close?.name == "a")
        #expect(actions.startIdleTimer == nil)
        #expect(machine.busy == 0)
        guard case .create? = Self.leaseGrant(&machine) else { Issue.record("the next message needs a new connection"); return }
    }

    @Test func aReleaseHandsTheConnectionStraightToTheLongestWaiter() {
        var machine = Machine(size: 1, maximumUses: 100)
        let a = Self.created(&machine, "a")
        _ = machine.lease(waiter: 1, isUsable: { $0.isOpen })
        _ = machine.lease(waiter: 2, isUsable: { $0.isOpen })
        let actions = machine.release(a, reusable: true)
        #expect(actions.wakeup?.waiter == 1)
        guard case .use(let handed)? = actions.wakeup?.grant else { Issue.record("waiter 1 should get the connection"); return }
        #expect(handed.connection === a.connection)
        #expect(handed.uses == 2)
        #expect(machine.busy == 1)
        #expect(machine.waiters == [2])
        #expect(actions.startIdleTimer == nil)
    }

    @Test func aBrokenConnectionFreesItsSlotForAWaiterToOpenANewOne() {
        var machine = Machine(size: 1, maximumUses: 100)
        let a = Self.created(&machine, "a")
        _ = machine.lease(waiter: 1, isUsable: { $0.isOpen })
        let actions = machine.release(a, reusable: false)
        #expect(actions.close?.name == "a")
        #expect(actions.wakeup?.waiter == 1)
        guard case .create? = actions.wakeup?.grant else { Issue.record("waiter 1 should open a connection"); return }
        #expect(machine.busy == 1)
    }

    @Test func aFailedConnectLetsTheNextWaiterTry() {
        var machine = Machine(size: 1, maximumUses: 100)
        guard case .create? = Self.leaseGrant(&machine) else { Issue.record("expected create"); return }
        _ = machine.lease(waiter: 4, isUsable: { $0.isOpen })
        let wakeup = machine.connectFailed()
        #expect(wakeup?.waiter == 4)
        #expect(machine.busy == 1)
        #expect(machine.connectFailed() == nil)
        #expect(machine.busy == 0)
    }

    @Test func theIdleTimerClosesOnlyAConnectionStillIdleSinceItStarted() {
        var machine = Machine(size: 1, maximumUses: 100)
        let a = Self.created(&machine, "a")
        let firstIdle = machine.release(a, reusable: true).startIdleTimer!
        guard case .use(let again)? = Self.leaseGrant(&machine) else { Issue.record("expected reuse"); return }
        let secondIdle = machine.release(again, reusable: true).startIdleTimer!
        #expect(machine.idleTimerFired(entryID: firstIdle.entryID, token: firstIdle.token) == nil, "the old timer is stale")
        #expect(machine.idleTimerFired(entryID: secondIdle.entryID, token: secondIdle.token)?.name == "a")
        #expect(machine.idle.isEmpty)
        guard case .create? = Self.leaseGrant(&machine) else { Issue.record("expected create after the idle close"); return }
    }

    @Test func aCancelledWaiterIsSkipped() {
        var machine = Machine(size: 1, maximumUses: 100)
        let a = Self.created(&machine, "a")
        _ = machine.lease(waiter: 1, isUsable: { $0.isOpen })
        _ = machine.lease(waiter: 2, isUsable: { $0.isOpen })
        machine.cancelWaiting(1)
        #expect(machine.release(a, reusable: true).wakeup?.waiter == 2)
    }

    @Test func shuttingDownClosesIdleConnectionsTellsWaitersAndRetiresLeasedOnes() {
        var machine = Machine(size: 2, maximumUses: 100)
        let a = Self.created(&machine, "a")
        let b = Self.created(&machine, "b")
        _ = machine.release(a, reusable: true)
        _ = machine.lease(waiter: 9, isUsable: { $0.isOpen })   // takes a
        _ = machine.lease(waiter: 10, isUsable: { $0.isOpen })  // waits
        let (close, waiters) = machine.shutDown()
        #expect(close.isEmpty)
        #expect(waiters == [10])
        #expect(machine.release(b, reusable: true).close?.name == "b", "a leased connection is closed when its message is done")
        guard case .shutDown? = Self.leaseGrant(&machine) else { Issue.record("no grants after shutdown"); return }
    }
}
