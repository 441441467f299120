import NIOCore
import NIOPosix
import NIOSSL

/// A real SMTP server on a TCP port (loopback by default), for testing an SMTP client
/// end to end: plain, STARTTLS and implicit TLS, AUTH PLAIN, LOGIN, CRAM-MD5 and XOAUTH2,
/// PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, several messages per session,
/// scripted faults, and a record of what it received.
///
/// ```swift
/// let server = try await SMTPTestServer.start(.init(tlsMode: .startTLS,
///     credentials: .init(username: "user", password: "secret")))
/// defer { Task { try await server.shutdown() } }
/// // connect a client to 127.0.0.1:server.port, trusting server.certificates!.caPEM
/// let messages = try await server.waitForMessages(1)
/// ```
///
/// Always call ``shutdown()`` when done: it closes the listening socket and every
/// connection still open.
public final class SMTPTestServer: Sendable {
    /// The configuration in force, with ``SMTPTestServerConfiguration/certificates``
    /// filled in when TLS is on and none was given.
    public let configuration: SMTPTestServerConfiguration
    /// The address the server listens on, as passed to ``start(_:host:port:)``.
    public let host: String
    /// The port the server listens on (the one the system picked when started with port 0).
    public let port: Int

    private let channel: any Channel
    private let recorder: ServerRecorder

    /// The certificates the server presents for TLS (generated when the configuration had none),
    /// or `nil` for ``SMTPTestServerConfiguration/TLSMode-swift.enum/none``.
    public var certificates: TestCertificates? {
        self.configuration.certificates
    }

    /// Starts listening on `host:port` (port 0: any free port; see ``port``).
    public static func start(
        _ configuration: SMTPTestServerConfiguration = .init(),
        host: String = "127.0.0.1",
        port: Int = 0
    ) async throws -> SMTPTestServer {
        var configuration = configuration
        let sslContext: NIOSSLContext?
        if configuration.tlsMode != .none {
            let certificates = try configuration.certificates ?? TestCertificates.generate()
            configuration.certificates = certificates
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: [
                    .certificate(try NIOSSLCertificate(bytes: Array(certificates.certificatePEM.utf8), format: .pem))
                ],
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificates.privateKeyPEM.utf8), format: .pem))
            )
            // Closing a TLS connection waits for the client's close_notify at most this long,
            // so that shutdown() stays quick when a client keeps an idle connection open.
            tls.shutdownTimeout = .milliseconds(200)
            if configuration.maximumTLSVersion == .tls12 {
                tls.maximumTLSVersion = .tlsv12
            }
            sslContext = try NIOSSLContext(configuration: tls)
        } else {
            sslContext = nil
        }

        let recorder = ServerRecorder()
        let sessionConfiguration = configuration
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard let connectionNumber = recorder.connectionAccepted(channel) else {
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if sessionConfiguration.tlsMode == .implicit, let sslContext {
                        try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    let readCounter = ReadCounter()
                    try pipeline.addHandler(readCounter)
                    let decoder = LineDecoder()
                    try pipeline.addHandler(ByteToMessageHandler(decoder))
                    try pipeline.addHandler(
                        SessionHandler(
                            configuration: sessionConfiguration,
                            sslContext: sslContext,
                            recorder: recorder,
                            decoder: decoder,
                            readCounter: readCounter,
                            connectionNumber: connectionNumber
                        )
                    )
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        guard let boundPort = channel.localAddress?.port else {
            try? await channel.close()
            throw SMTPTestServerError.shutDown
        }
        return SMTPTestServer(
            configuration: configuration,
            host: host,
            port: boundPort,
            channel: channel,
            recorder: recorder
        )
    }

    private init(
        configuration: SMTPTestServerConfiguration,
        host: String,
        port: Int,
        channel: any Channel,
        recorder: ServerRecorder
    ) {
        self.configuration = configuration
        self.host = host
        self.port = port
        self.channel = channel
        self.recorder = recorder
    }

    /// The messages accepted so far (250 after the final "."), in order, across connections.
    public var messages: [ReceivedMessage] {
        self.recorder.messages
    }

    /// Every command line received so far, in order, across connections, without CRLF:
    /// SMTP commands and AUTH responses (base64, as sent), but not DATA content lines.
    /// Lines a client pipelined behind an accepted STARTTLS are dropped unread and not listed.
    public var commands: [String] {
        self.recorder.commands
    }

    /// The commands of ``commands``, grouped by the read they arrived in: consecutive commands
    /// of one connection that came in one read form one group. A client that pipelines
    /// `MAIL`, `RCPT` and `DATA` in one write shows them as one group.
    public var commandBatches: [[String]] {
        self.recorder.commandBatches
    }

    /// How many TCP connections the server has accepted.
    public var connectionCount: Int {
        self.recorder.connectionCount
    }

    /// Waits until at least `count` messages have been accepted and returns all accepted
    /// so far (at least `count`), or throws
    /// ``SMTPTestServerError/timedOutWaitingForMessages(expected:received:)``.
    public func waitForMessages(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [ReceivedMessage] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let messages = self.messages
            if messages.count >= count {
                return messages
            }
            if clock.now >= deadline {
                throw SMTPTestServerError.timedOutWaitingForMessages(expected: count, received: messages.count)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Closes every open connection now, as a server does at its idle timeout: with `announce`,
    /// after `421 4.4.2 ... timeout exceeded` (as Postfix does). Returns once they are closed.
    /// A test calls it at the moment it chooses, where the `closeWhenIdle` fault's timer would
    /// race a loaded machine.
    public func closeOpenConnections(announce: Bool) async {
        for connection in self.recorder.openChannels {
            // Through the session's own idle-timeout path, so the reply is the fault's, to the letter.
            connection.pipeline.fireUserInboundEventTriggered(SessionHandler.TimeOut(announce: announce))
            try? await connection.closeFuture.get()
        }
    }

    /// Stops listening and closes every open connection. Calling it again does nothing.
    public func shutdown() async throws {
        let connections = self.recorder.shutDown()
        do {
            try await self.channel.close()
        } catch ChannelError.alreadyClosed {
            // shut down before
        }
        await withTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask {
                    // A connection may close by itself meanwhile; that is fine.
                    try? await connection.close()
                }
            }
        }
    }
}
