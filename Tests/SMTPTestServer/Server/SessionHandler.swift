import Crypto
import Foundation
import NIOCore
import NIOSSL

/// The server side of one SMTP connection (RFC 5321, with STARTTLS per RFC 3207,
/// AUTH PLAIN/LOGIN per RFC 4954/4616, CRAM-MD5 per RFC 2195, XOAUTH2, PIPELINING, SIZE,
/// 8BITMIME, SMTPUTF8 and ENHANCEDSTATUSCODES).
///
/// It receives one line at a time from ``LineDecoder`` (line ending included) and
/// answers in order, so pipelined commands are handled like sequential ones.
/// Everything runs on the channel's event loop; the handler is never shared.
final class SessionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        /// Before the (delayed) banner: lines are held and processed after it.
        case awaitingGreeting(held: [ByteBuffer])
        /// Lines are recorded but never answered (noGreeting, noReplyToData).
        case silent
        /// The greeting was a refusal (e.g. 554): only QUIT gets anything but 503.
        case refused
        case command
        case authPlainResponse
        case authLoginUsername
        case authLoginPassword(username: String)
        case authCRAMMD5(challenge: String)
        case authXOAUTH2Response
        /// A refused XOAUTH2 token got a 334 error challenge; the client's (empty) answer gets 535.
        case authXOAUTH2Failed
        case data(MessageBody)
        case closed
    }

    private struct MessageBody {
        var bytes: [UInt8] = []
        var size = 0
        var tooLarge = false
    }

    private let configuration: SMTPTestServerConfiguration
    private let sslContext: NIOSSLContext?
    private let recorder: ServerRecorder
    private let decoder: LineDecoder
    private let readCounter: ReadCounter
    private let connectionNumber: Int
    private var idleTimer: Scheduled<Void>?

    private var phase: Phase = .awaitingGreeting(held: [])
    private var delayedGreeting: Scheduled<Void>?

    // Session state: reset by STARTTLS.
    private var tls: Bool
    private var heloName: String?
    private var extended = false
    private var authenticatedUser: String?

    // Mail transaction: reset by EHLO, HELO, RSET, and the end of DATA.
    private var mailFrom: String?
    private var mailParameters: [String] = []
    private var recipients: [String] = []
    private var smtpUTF8 = false
    private var messagesDelivered = 0

    init(
        configuration: SMTPTestServerConfiguration,
        sslContext: NIOSSLContext?,
        recorder: ServerRecorder,
        decoder: LineDecoder,
        readCounter: ReadCounter,
        connectionNumber: Int
    ) {
        self.configuration = configuration
        self.sslContext = sslContext
        self.recorder = recorder
        self.decoder = decoder
        self.readCounter = readCounter
        self.connectionNumber = connectionNumber
        self.tls = configuration.tlsMode == .implicit
    }

    // MARK: Channel events

    func channelActive(context: ChannelHandlerContext) {
        if self.configuration.faults.noGreeting {
            self.phase = .silent
        } else if let delay = self.configuration.faults.greetingDelay, delay > 0 {
            self.delayedGreeting = context.eventLoop.assumeIsolated().scheduleTask(
                in: .nanoseconds(Int64(delay * 1_000_000_000))
            ) {
                self.delayedGreeting = nil
                self.greet(context: context)
            }
        } else {
            self.greet(context: context)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.delayedGreeting?.cancel()
        self.delayedGreeting = nil
        self.idleTimer?.cancel()
        self.idleTimer = nil
        self.phase = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // TLS handshake failures, over-long lines, resets: end the connection.
        self.phase = .closed
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.process(line: Self.unwrapInboundIn(data), context: context)
        self.armIdleTimer(context: context)
    }

    /// The closeWhenIdle fault: the timer restarts with every line and runs while a command is awaited.
    private func armIdleTimer(context: ChannelHandlerContext) {
        self.idleTimer?.cancel()
        self.idleTimer = nil
        guard let idle = self.configuration.faults.closeWhenIdle, case .command = self.phase else { return }
        self.idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(idle.seconds * 1_000_000_000))) {
            self.idleTimer = nil
            guard case .command = self.phase else { return }
            self.timeOut(announce: idle.announce, context: context)
        }
    }

    /// Asks a session to end now as at its idle timeout (`SMTPTestServer.closeOpenConnections`).
    struct TimeOut: Sendable {
        var announce: Bool
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let timeOut = event as? TimeOut {
            self.timeOut(announce: timeOut.announce, context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Ends the session as Postfix does at its idle timeout: with `announce`, after
    /// `421 4.4.2 ... timeout exceeded`, otherwise silently.
    private func timeOut(announce: Bool, context: ChannelHandlerContext) {
        if announce {
            self.replyAndClose("421 4.4.2 \(self.configuration.hostname) Error: timeout exceeded", context: context)
        } else {
            self.phase = .closed
            context.close(promise: nil)
        }
    }

    private func record(_ line: String) {
        self.recorder.recordCommand(line, connection: self.connectionNumber, read: self.readCounter.current)
    }

    // MARK: Greeting

    private func greet(context: ChannelHandlerContext) {
        guard case .awaitingGreeting(let held) = self.phase else { return }
        if let greeting = self.configuration.faults.greeting, greeting.code != 220 {
            if greeting.code == 421 {
                self.replyAndClose("\(greeting.code) \(greeting.text)", context: context)
                return
            }
            self.reply("\(greeting.code) \(greeting.text)", context: context)
            self.phase = .refused
        } else {
            let text = self.configuration.faults.greeting?.text ?? "\(self.configuration.hostname) ESMTP SMTPTestServer"
            if self.configuration.faults.closeAfterGreeting {
                self.replyAndClose("220 \(text)", context: context)
                return
            }
            self.reply("220 \(text)", context: context)
            self.phase = .command
            self.armIdleTimer(context: context)
        }
        for line in held {
            self.process(line: line, context: context)
        }
    }

    // MARK: Dispatch

    private func process(line: ByteBuffer, context: ChannelHandlerContext) {
        switch self.phase {
        case .awaitingGreeting(var held):
            held.append(line)
            self.phase = .awaitingGreeting(held: held)
        case .closed:
            return
        case .data(var body):
            if self.configuration.faults.closeDuringData {
                self.phase = .closed
                context.close(promise: nil)
                return
            }
            self.phase = .closed  // avoid a copy-on-write of the body while it is being extended
            if self.appendDataLine(line, to: &body) {
                self.phase = .data(body)
            } else {
                self.phase = .command
                self.finishData(body, context: context)
            }
        case .silent:
            self.record(Self.text(of: line))
        case .refused:
            let text = Self.text(of: line)
            self.record(text)
            if Self.verb(of: text) == "QUIT" {
                self.replyAndClose("221 2.0.0 Bye", context: context)
            } else {
                self.reply("503 5.5.1 No SMTP service here", context: context)
            }
        case .authPlainResponse:
            let text = Self.text(of: line)
            self.record(text)
            self.phase = .command
            if text == "*" {
                self.reply("501 5.7.0 Authentication cancelled", context: context)
            } else {
                self.checkPlain(text, context: context)
            }
        case .authLoginUsername:
            let text = Self.text(of: line)
            self.record(text)
            self.phase = .command
            if text == "*" {
                self.reply("501 5.7.0 Authentication cancelled", context: context)
            } else if let username = Self.decodeBase64(text) {
                self.phase = .authLoginPassword(username: username)
                self.reply("334 UGFzc3dvcmQ6", context: context)
            } else {
                self.reply("501 5.5.2 Invalid base64 data", context: context)
            }
        case .authLoginPassword(let username):
            let text = Self.text(of: line)
            self.record(text)
            self.phase = .command
            if text == "*" {
                self.reply("501 5.7.0 Authentication cancelled", context: context)
            } else if let password = Self.decodeBase64(text) {
                self.verify(username: username, password: password, context: context)
            } else {
                self.reply("501 5.5.2 Invalid base64 data", context: context)
            }
        case .authCRAMMD5(let challenge):
            let text = Self.text(of: line)
            self.record(text)
            self.phase = .command
            self.checkCRAMMD5(text, challenge: challenge, context: context)
        case .authXOAUTH2Response:
            let text = Self.text(of: line)
            self.record(text)
            self.phase = .command
            self.checkXOAUTH2(text, context: context)
        case .authXOAUTH2Failed:
            self.record(Self.text(of: line))
            self.phase = .command
            self.reply("535 5.7.8 Username and Password not accepted", context: context)
        case .command:
            let text = Self.text(of: line)
            self.record(text)
            self.command(text, context: context)
        }
    }

    private func command(_ line: String, context: ChannelHandlerContext) {
        let verb = Self.verb(of: line)
        let argument = Self.argument(of: line)
        if self.configuration.faults.closesOnCommand(verb, messagesDelivered: self.messagesDelivered) {
            self.phase = .closed
            context.close(promise: nil)
            return
        }
        switch verb {
        case "EHLO": self.ehlo(argument, context: context)
        case "HELO": self.helo(argument, context: context)
        case "STARTTLS": self.startTLS(argument, context: context)
        case "AUTH": self.auth(argument, context: context)
        case "MAIL": self.mail(argument, context: context)
        case "RCPT": self.rcpt(argument, context: context)
        case "DATA": self.data(argument, context: context)
        case "RSET":
            self.resetTransaction()
            self.reply("250 2.0.0 Ok", context: context)
        case "NOOP":
            self.reply("250 2.0.0 Ok", context: context)
        case "QUIT":
            self.replyAndClose("221 2.0.0 Bye", context: context)
        case "VRFY":
            self.reply("252 2.5.0 Cannot VRFY user", context: context)
        case "EXPN", "HELP", "TURN", "ETRN", "BDAT":
            self.reply("502 5.5.1 Command not implemented", context: context)
        default:
            self.reply("500 5.5.2 Command not recognized", context: context)
        }
    }

    // MARK: Commands

    private func ehlo(_ argument: String, context: ChannelHandlerContext) {
        guard !argument.isEmpty else {
            self.reply("501 5.5.4 Syntax: EHLO hostname", context: context)
            return
        }
        self.resetTransaction()
        self.heloName = argument
        self.extended = true

        var lines = [self.configuration.hostname]
        if self.configuration.advertisePipelining {
            lines.append("PIPELINING")
        }
        if self.configuration.advertise8BITMIME {
            lines.append("8BITMIME")
        }
        if self.configuration.advertiseSMTPUTF8 {
            lines.append("SMTPUTF8")
        }
        if self.configuration.advertiseEnhancedStatusCodes {
            lines.append("ENHANCEDSTATUSCODES")
        }
        if let maxSize = self.configuration.maxSize {
            lines.append("SIZE \(maxSize)")
        }
        if self.startTLSAvailable {
            lines.append("STARTTLS")
        }
        if self.authAvailable {
            lines.append((["AUTH"] + self.configuration.authMechanisms).joined(separator: " "))
        }
        let reply = lines.enumerated().map { index, line in
            (index == lines.count - 1 ? "250 " : "250-") + line
        }
        self.reply(reply.joined(separator: "\r\n"), context: context)
    }

    private func helo(_ argument: String, context: ChannelHandlerContext) {
        guard !argument.isEmpty else {
            self.reply("501 5.5.4 Syntax: HELO hostname", context: context)
            return
        }
        self.resetTransaction()
        self.heloName = argument
        self.extended = false
        self.reply("250 \(self.configuration.hostname)", context: context)
    }

    private var startTLSAvailable: Bool {
        self.configuration.tlsMode == .startTLS && !self.tls && !self.configuration.faults.hideStartTLS
    }

    private var authAvailable: Bool {
        self.configuration.credentials != nil && (self.tls || self.configuration.advertiseAuthBeforeTLS)
    }

    private func startTLS(_ argument: String, context: ChannelHandlerContext) {
        if self.tls {
            self.reply("503 5.5.1 TLS already active", context: context)
            return
        }
        guard self.configuration.tlsMode == .startTLS, let sslContext = self.sslContext else {
            self.reply("502 5.5.1 STARTTLS not supported", context: context)
            return
        }
        if self.configuration.faults.hideStartTLS {
            self.reply("454 4.7.0 TLS not available", context: context)
            return
        }
        guard argument.isEmpty else {
            self.reply("501 5.5.4 Syntax: STARTTLS", context: context)
            return
        }
        guard self.extended else {
            self.reply("503 5.5.1 Send EHLO first", context: context)
            return
        }
        // The 220 goes out in plaintext: it passes the head of the pipeline before
        // the TLS handler is put in front of everything else.
        self.reply("220 2.0.0 Ready to start TLS", context: context)
        do {
            try context.pipeline.syncOperations.addHandler(
                NIOSSLServerHandler(context: sslContext),
                position: .first
            )
        } catch {
            context.close(promise: nil)
            self.phase = .closed
            return
        }
        // Plaintext pipelined behind STARTTLS is dropped, never read as encrypted commands.
        self.decoder.discardRestOfBuffer()
        self.tls = true
        self.heloName = nil
        self.extended = false
        self.authenticatedUser = nil
        self.resetTransaction()
    }

    private func auth(_ argument: String, context: ChannelHandlerContext) {
        guard self.configuration.credentials != nil else {
            self.reply("502 5.5.1 Authentication not enabled", context: context)
            return
        }
        guard self.extended else {
            self.reply("503 5.5.1 Send EHLO first", context: context)
            return
        }
        guard self.authAvailable else {
            self.reply("538 5.7.11 Encryption required for requested authentication mechanism", context: context)
            return
        }
        guard self.authenticatedUser == nil else {
            self.reply("503 5.5.1 Already authenticated", context: context)
            return
        }
        guard self.mailFrom == nil else {
            self.reply("503 5.5.1 AUTH not permitted during a mail transaction", context: context)
            return
        }
        let parts = argument.split(separator: " ", omittingEmptySubsequences: true)
        guard let mechanism = parts.first?.uppercased(), parts.count <= 2 else {
            self.reply("501 5.5.4 Syntax: AUTH mechanism [initial-response]", context: context)
            return
        }
        let initialResponse = parts.count == 2 ? String(parts[1]) : nil
        let offered = self.configuration.authMechanisms.contains { $0.uppercased() == mechanism }
        switch (offered, mechanism) {
        case (true, "PLAIN"):
            if let initialResponse {
                self.checkPlain(initialResponse, context: context)
            } else {
                self.phase = .authPlainResponse
                self.reply("334 ", context: context)
            }
        case (true, "LOGIN"):
            if let initialResponse {
                guard let username = Self.decodeBase64(initialResponse) else {
                    self.reply("501 5.5.2 Invalid base64 data", context: context)
                    return
                }
                self.phase = .authLoginPassword(username: username)
                self.reply("334 UGFzc3dvcmQ6", context: context)
            } else {
                self.phase = .authLoginUsername
                self.reply("334 VXNlcm5hbWU6", context: context)
            }
        case (true, "CRAM-MD5"):
            guard initialResponse == nil else {
                self.reply("501 5.5.2 CRAM-MD5 takes no initial response", context: context)
                return
            }
            let challenge = "<\(UInt32.random(in: 1...UInt32.max)).\(UInt32.random(in: 1...UInt32.max))@\(self.configuration.hostname)>"
            self.phase = .authCRAMMD5(challenge: challenge)
            self.reply("334 \(Data(challenge.utf8).base64EncodedString())", context: context)
        case (true, "XOAUTH2"):
            if let initialResponse {
                self.checkXOAUTH2(initialResponse, context: context)
            } else {
                self.phase = .authXOAUTH2Response
                self.reply("334 ", context: context)
            }
        default:
            self.reply("504 5.5.4 Unrecognized authentication type", context: context)
        }
    }

    /// RFC 2195: "username hexdigest", the digest being HMAC-MD5 of the challenge keyed with the password.
    private func checkCRAMMD5(_ response: String, challenge: String, context: ChannelHandlerContext) {
        if response == "*" {
            self.reply("501 5.7.0 Authentication cancelled", context: context)
            return
        }
        guard let decoded = Self.decodeBase64(response), let space = decoded.lastIndex(of: " ") else {
            self.reply("501 5.5.2 Malformed CRAM-MD5 response", context: context)
            return
        }
        let username = String(decoded[..<space])
        let digest = String(decoded[decoded.index(after: space)...])
        let password = self.configuration.credentials?.password ?? ""
        let expected = HMAC<Insecure.MD5>.authenticationCode(for: Array(challenge.utf8), using: SymmetricKey(data: Array(password.utf8)))
            .map { String(format: "%02x", $0) }.joined()
        if !self.configuration.faults.rejectAuth, username == self.configuration.credentials?.username, digest == expected {
            self.authenticatedUser = username
            self.reply("235 2.7.0 Authentication successful", context: context)
        } else {
            self.reply("535 5.7.8 Authentication credentials invalid", context: context)
        }
    }

    /// XOAUTH2: base64 of "user=NAME\u{1}auth=Bearer TOKEN\u{1}\u{1}". A refused token gets
    /// Google's error challenge (334 with base64 JSON); the client must answer it with an empty line.
    private func checkXOAUTH2(_ response: String, context: ChannelHandlerContext) {
        guard let decoded = Self.decodeBase64(response) else {
            self.reply("501 5.5.2 Invalid base64 data", context: context)
            return
        }
        let fields = decoded.split(separator: "\u{1}", omittingEmptySubsequences: true)
        let user = fields.first { $0.hasPrefix("user=") }.map { String($0.dropFirst(5)) }
        let token = fields.first { $0.hasPrefix("auth=Bearer ") }.map { String($0.dropFirst(12)) }
        if !self.configuration.faults.rejectAuth, let credentials = self.configuration.credentials,
            let expected = credentials.oauth2Token, user == credentials.username, token == expected,
            decoded.hasSuffix("\u{1}\u{1}")
        {
            self.authenticatedUser = credentials.username
            self.reply("235 2.7.0 Accepted", context: context)
        } else {
            let error = #"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#
            self.phase = .authXOAUTH2Failed
            self.reply("334 \(Data(error.utf8).base64EncodedString())", context: context)
        }
    }

    /// Checks a SASL PLAIN response: base64 of `authzid NUL authcid NUL password`.
    private func checkPlain(_ response: String, context: ChannelHandlerContext) {
        guard let decoded = Self.decodeBase64Bytes(response) else {
            self.reply("501 5.5.2 Invalid base64 data", context: context)
            return
        }
        let fields = decoded.split(separator: 0, omittingEmptySubsequences: false)
        guard fields.count == 3 else {
            self.reply("501 5.5.2 Malformed PLAIN response", context: context)
            return
        }
        self.verify(
            username: String(decoding: fields[1], as: UTF8.self),
            password: String(decoding: fields[2], as: UTF8.self),
            context: context
        )
    }

    private func verify(username: String, password: String, context: ChannelHandlerContext) {
        if !self.configuration.faults.rejectAuth,
            let credentials = self.configuration.credentials,
            credentials.username == username, credentials.password == password
        {
            self.authenticatedUser = username
            self.reply("235 2.7.0 Authentication successful", context: context)
        } else {
            self.reply("535 5.7.8 Authentication credentials invalid", context: context)
        }
    }

    private func mail(_ argument: String, context: ChannelHandlerContext) {
        guard self.heloName != nil else {
            self.reply("503 5.5.1 Send HELO/EHLO first", context: context)
            return
        }
        guard self.mailFrom == nil else {
            self.reply("503 5.5.1 Nested MAIL command", context: context)
            return
        }
        if self.configuration.requireAuth && self.authenticatedUser == nil {
            self.reply("530 5.7.0 Authentication required", context: context)
            return
        }
        guard let path = Self.parsePath(argument, keyword: "FROM:") else {
            self.reply("501 5.5.4 Syntax: MAIL FROM:<address>", context: context)
            return
        }
        if let maxSize = self.configuration.maxSize,
            let declared = path.parameters.lazy.compactMap(Self.sizeParameter).first,
            declared > maxSize
        {
            self.reply("552 5.3.4 Message size exceeds fixed maximum message size", context: context)
            return
        }
        let keywords = path.parameters.map { $0.split(separator: "=", maxSplits: 1).first.map { $0.uppercased() } ?? "" }
        let body = path.parameters.first { $0.uppercased().hasPrefix("BODY=") }?.dropFirst(5).uppercased()
        if body == "8BITMIME", !self.configuration.advertise8BITMIME {
            self.reply("555 5.5.4 BODY=8BITMIME not supported", context: context)
            return
        }
        let wantsUTF8 = keywords.contains("SMTPUTF8")
        if wantsUTF8, !self.configuration.advertiseSMTPUTF8 {
            self.reply("555 5.5.4 SMTPUTF8 not supported", context: context)
            return
        }
        if !wantsUTF8, !path.address.utf8.allSatisfy({ $0 < 0x80 }) {
            self.reply("553 5.6.7 Address requires SMTPUTF8", context: context)
            return
        }
        self.smtpUTF8 = wantsUTF8
        if let rejection = self.configuration.faults.rejectMailFrom {
            self.reply("\(rejection.code) \(rejection.text)", context: context)
            return
        }
        self.mailFrom = path.address
        self.mailParameters = path.parameters
        self.reply("250 2.1.0 Ok", context: context)
    }

    private func rcpt(_ argument: String, context: ChannelHandlerContext) {
        guard self.mailFrom != nil else {
            self.reply("503 5.5.1 Need MAIL command", context: context)
            return
        }
        guard let address = Self.parsePath(argument, keyword: "TO:")?.address, !address.isEmpty else {
            self.reply("501 5.5.4 Syntax: RCPT TO:<address>", context: context)
            return
        }
        if !self.smtpUTF8, !address.utf8.allSatisfy({ $0 < 0x80 }) {
            self.reply("553 5.6.7 Address requires SMTPUTF8", context: context)
            return
        }
        if let rejection = self.configuration.faults.rejection(forRecipient: address) {
            self.reply("\(rejection.code) \(rejection.text)", context: context)
            return
        }
        self.recipients.append(address)
        self.reply("250 2.1.5 Ok", context: context)
    }

    private func data(_ argument: String, context: ChannelHandlerContext) {
        guard argument.isEmpty else {
            self.reply("501 5.5.4 Syntax: DATA", context: context)
            return
        }
        guard self.mailFrom != nil else {
            self.reply("503 5.5.1 Need MAIL command", context: context)
            return
        }
        guard !self.recipients.isEmpty else {
            self.reply("554 5.5.1 No valid recipients", context: context)
            return
        }
        self.phase = .data(MessageBody())
        self.reply("354 End data with <CR><LF>.<CR><LF>", context: context)
    }

    // MARK: DATA content

    /// Adds one content line to the body; returns `false` for the terminating ".".
    private func appendDataLine(_ line: ByteBuffer, to body: inout MessageBody) -> Bool {
        var view = line.readableBytesView[...]
        if view.elementsEqual(".\r\n".utf8) || view.elementsEqual(".\n".utf8) {
            return false
        }
        if view.first == UInt8(ascii: ".") {
            view = view.dropFirst()  // dot-unstuffing (RFC 5321 §4.5.2)
        }
        body.size += view.count
        if let maxSize = self.configuration.maxSize, body.size > maxSize {
            body.tooLarge = true
            body.bytes = []
        }
        if !body.tooLarge {
            body.bytes.append(contentsOf: view)
        }
        return true
    }

    private func finishData(_ body: MessageBody, context: ChannelHandlerContext) {
        defer { self.resetTransaction() }
        if self.configuration.faults.noReplyToData {
            self.phase = .silent
            return
        }
        if body.tooLarge {
            self.reply("552 5.3.4 Message size exceeds fixed maximum message size", context: context)
            return
        }
        if let rejection = self.configuration.faults.rejectData {
            self.reply("\(rejection.code) \(rejection.text)", context: context)
            return
        }
        let id = self.recorder.recordMessage(
            ReceivedMessage(
                mailFrom: self.mailFrom ?? "",
                mailParameters: self.mailParameters,
                recipients: self.recipients,
                data: String(decoding: body.bytes, as: UTF8.self),
                heloName: self.heloName ?? "",
                tls: self.tls,
                authenticatedUser: self.authenticatedUser,
                connectionNumber: self.connectionNumber
            )
        )
        self.messagesDelivered += 1
        self.reply("250 2.0.0 Ok: queued as \(id)", context: context)
    }

    // MARK: Helpers

    private func resetTransaction() {
        self.mailFrom = nil
        self.mailParameters = []
        self.recipients = []
        self.smtpUTF8 = false
    }

    private func reply(_ text: String, context: ChannelHandlerContext) {
        let text = self.configuration.advertiseEnhancedStatusCodes ? text : Self.withoutEnhancedCodes(text)
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count + 2)
        buffer.writeString(text)
        buffer.writeString("\r\n")
        context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
    }

    private func replyAndClose(_ text: String, context: ChannelHandlerContext) {
        let text = self.configuration.advertiseEnhancedStatusCodes ? text : Self.withoutEnhancedCodes(text)
        self.phase = .closed
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count + 2)
        buffer.writeString(text)
        buffer.writeString("\r\n")
        let channel = context.channel
        context.writeAndFlush(Self.wrapOutboundOut(buffer)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// "250 2.1.0 Ok" as a server without ENHANCEDSTATUSCODES says it: "250 Ok" (every line).
    private static func withoutEnhancedCodes(_ text: String) -> String {
        text.components(separatedBy: "\r\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 || (parts.count == 2 && line.count > 4),
                parts[0].count == 3 || parts[0].count == 4,
                parts[1].split(separator: ".").count == 3,
                parts[1].allSatisfy({ $0.isNumber || $0 == "." })
            else { return line }
            return parts.count == 3 ? "\(parts[0]) \(parts[2])" : String(parts[0])
        }.joined(separator: "\r\n")
    }

    /// The line without its CRLF (or bare LF), as text.
    private static func text(of line: ByteBuffer) -> String {
        var view = line.readableBytesView[...]
        if view.last == UInt8(ascii: "\n") { view = view.dropLast() }
        if view.last == UInt8(ascii: "\r") { view = view.dropLast() }
        return String(decoding: view, as: UTF8.self)
    }

    private static func verb(of line: String) -> String {
        String(line.prefix { $0 != " " }).uppercased()
    }

    private static func argument(of line: String) -> String {
        guard let space = line.firstIndex(of: " ") else { return "" }
        return line[line.index(after: space)...].trimmingCharacters(in: .whitespaces)
    }

    /// Parses `FROM:<address> PARAM...` / `TO:<address> PARAM...` (keyword case-insensitive,
    /// spaces after the colon tolerated). Returns the address without brackets.
    private static func parsePath(_ argument: String, keyword: String) -> (address: String, parameters: [String])? {
        guard argument.uppercased().hasPrefix(keyword) else { return nil }
        let rest = argument.dropFirst(keyword.count).drop { $0 == " " }
        guard rest.first == "<", let close = rest.firstIndex(of: ">") else { return nil }
        let address = String(rest[rest.index(after: rest.startIndex)..<close])
        let parameters = rest[rest.index(after: close)...]
            .split(separator: " ", omittingEmptySubsequences: true)
            .map(String.init)
        return (address, parameters)
    }

    /// The value of a `SIZE=n` MAIL parameter.
    private static func sizeParameter(_ parameter: String) -> Int? {
        guard parameter.uppercased().hasPrefix("SIZE=") else { return nil }
        return Int(parameter.dropFirst(5))
    }

    private static func decodeBase64Bytes(_ text: String) -> [UInt8]? {
        if text == "=" { return [] }  // RFC 4954: "=" is an empty initial response
        return Data(base64Encoded: text).map { Array($0) }
    }

    private static func decodeBase64(_ text: String) -> String? {
        decodeBase64Bytes(text).map { String(decoding: $0, as: UTF8.self) }
    }
}
