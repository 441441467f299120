import NIOCore
import Synchronization

/// What the server has seen, shared by all its connections (each on some event-loop
/// thread) and the test reading it (on any thread). Every access holds the lock.
final class ServerRecorder: Sendable {
    private struct State {
        var messages: [ReceivedMessage] = []
        var commands: [String] = []
        var connectionCount = 0
        var openChannels: [ObjectIdentifier: any Channel] = [:]
        var isShutDown = false
        var nextMessageID = 1
    }

    private let state = Mutex(State())

    var messages: [ReceivedMessage] {
        self.state.withLock { $0.messages }
    }

    var commands: [String] {
        self.state.withLock { $0.commands }
    }

    var connectionCount: Int {
        self.state.withLock { $0.connectionCount }
    }

    func recordCommand(_ line: String) {
        self.state.withLock { $0.commands.append(line) }
    }

    /// Stores the message and returns its queue id for the 250 reply.
    func recordMessage(_ message: ReceivedMessage) -> Int {
        self.state.withLock { state in
            state.messages.append(message)
            defer { state.nextMessageID += 1 }
            return state.nextMessageID
        }
    }

    /// Counts an accepted connection and tracks it until it closes, so that
    /// ``closeAll()`` can close it. Returns `false` when the server is shut down.
    func connectionAccepted(_ channel: any Channel) -> Bool {
        let accepted = self.state.withLock { state in
            guard !state.isShutDown else { return false }
            state.connectionCount += 1
            state.openChannels[ObjectIdentifier(channel)] = channel
            return true
        }
        if accepted {
            channel.closeFuture.whenComplete { _ in
                self.state.withLock { state in
                    _ = state.openChannels.removeValue(forKey: ObjectIdentifier(channel))
                }
            }
        }
        return accepted
    }

    /// Marks the server shut down and returns the connections still open.
    func shutDown() -> [any Channel] {
        self.state.withLock { state in
            state.isShutDown = true
            return Array(state.openChannels.values)
        }
    }
}
