/// A loopback TCP port where nothing listens, kept that way for the rest of the test process.
///
/// Binding a socket without listening makes connections to it fail with ECONNREFUSED, and as
/// long as the socket stays open no other server (another test's, running in parallel) can take
/// the port, which a port freed by closing a server cannot promise.
public enum ClosedPort {
    /// Returns a fresh port; the socket holding it is deliberately never closed.
    public static func reserve() -> Int {
        guard let socket = LoopbackSocket.bound(to: 0) else { preconditionFailure("cannot bind a loopback socket") }
        return socket.port
    }
}
