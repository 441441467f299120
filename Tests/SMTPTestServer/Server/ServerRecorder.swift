import NIOCore
import Synchronization

/// What the server has seen, shared by all its connections (each on some event-loop
/// thread) and the test reading it (on any thread). Every access holds the lock.
final class ServerRecorder: Sendable {
    private struct State {
        var messages: [ReceivedMessage] = []
        /// Each command with the connection and the read it arrived in.
        var commands: [(line: String, connection: Int, read: Int)] = []
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
        self.state.withLock { $0.commands.map(\.line) }
    }

    /// Consecutive commands that arrived in the same read of the same connection, grouped.
    var commandBatches: [[String]] {
        self.state.withLock { state in
            var batches: [[String]] = []
            var last: (connection: Int, read: Int)?
            for command in state.commands {
                if let last, last == (command.connection, command.read) {
                    batches[batches.count - 1].append(command.line)
                } else {
                    batches.append([command.line])
                }
                last = (command.connection, command.read)
            }
            return batches
        }
    }

    var connectionCount: Int {
        self.state.withLock { $0.connectionCount }
    }

    var openChannels: [any Channel] {
        self.state.withLock { Array($0.openChannels.values) }
    }

    func recordCommand(_ line: String, connection: Int, read: Int) {
        self.state.withLock { $0.commands.append((line, connection, read)) }
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
    /// ``closeAll()`` can close it. Returns the connection's number (1 for the first),
    /// or nil when the server is shut down.
    func connectionAccepted(_ channel: any Channel) -> Int? {
        let accepted: Int? = self.state.withLock { state in
            guard !state.isShutDown else { return nil }
            state.connectionCount += 1
            state.openChannels[ObjectIdentifier(channel)] = channel
            return state.connectionCount
        }
        if accepted != nil {
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
