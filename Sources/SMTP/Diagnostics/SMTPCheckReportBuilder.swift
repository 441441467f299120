import Foundation

/// Turns a session timeline into the steps of a check report: consecutive events of one step
/// become one step, the first failure ends the list, and every step that did not run is listed as
/// skipped with the reason, so a report never just stops.
///
/// Pure: no I/O and no clock of its own, so every shape of report can be tested without a server.
struct SMTPCheckReportBuilder {
    typealias Entry = SMTPSessionTimeline.Entry

    let configuration: SMTPClientConfiguration
    let sender: String
    let recipient: String

    private struct Group {
        var name: SMTPCheckStep.Name
        var entries: [Entry] = []
        var failure: SMTPError?
        var started: ContinuousClock.Instant
        var finished: ContinuousClock.Instant
    }

    /// `failure`: what the caller caught, with when; used when the timeline does not already hold
    /// it (a refused TCP connection happens before there is a session to record it).
    func build(
        entries: [Entry],
        failure: (error: SMTPError, at: ContinuousClock.Instant)?,
        started: ContinuousClock.Instant,
        finished: ContinuousClock.Instant
    ) -> SMTPCheckReport {
        var groups: [Group] = []
        var failed = false
        for entry in entries {
            if case .failed(let error) = entry.event {
                attach(error, started: entry.started, at: entry.finished, to: &groups)
                failed = true
                break
            }
            let name = Self.stepName(entry.phase) ?? nextStep(after: groups)
            if groups.last?.name == name {
                groups[groups.count - 1].entries.append(entry)
                groups[groups.count - 1].finished = entry.finished
            } else {
                groups.append(Group(name: name, entries: [entry], started: entry.started, finished: entry.finished))
            }
        }
        if !failed, let failure {
            attach(failure.error, started: groups.last?.finished ?? started, at: failure.at, to: &groups)
        }

        var report = SMTPCheckReport(
            host: configuration.host, port: configuration.port, security: configuration.security,
            sender: sender, recipient: recipient, steps: [], duration: started.duration(to: finished)
        )
        for entry in entries {
            switch entry.event {
            case .tlsEstablished(let session): report.tls = session
            case .reply(let reply, _) where entry.phase == .ehlo && reply.code == 250:
                report.extensions = Array(reply.lines.dropFirst())
            default: break
            }
        }
        report.authenticationMechanism = groups.first { $0.name == .auth }.flatMap(Self.mechanism)
        report.steps = merge(groups)
        return report
    }

    // MARK: Grouping

    /// Marks the step the error belongs to as failed and drops what came after it (the QUIT
    /// that follows a refusal, replies to pipelined commands that only echo the refusal).
    private func attach(_ error: SMTPError, started: ContinuousClock.Instant, at time: ContinuousClock.Instant, to groups: inout [Group]) {
        let name = error.phase.flatMap(Self.stepName) ?? nextStep(after: groups)
        if let index = groups.lastIndex(where: { $0.name == name }) {
            groups.removeSubrange((index + 1)...)
            groups[index].failure = error
            groups[index].finished = max(groups[index].finished, time)
        } else {
            groups.append(Group(name: name, failure: error, started: started, finished: time))
        }
    }

    static func stepName(_ phase: SMTPPhase) -> SMTPCheckStep.Name? {
        switch phase {
        case .connect: .connect
        case .greeting: .greeting
        case .ehlo, .helo: .ehlo
        case .startTLS, .tlsHandshake: .tls
        case .auth: .auth
        case .mailFrom: .mailFrom
        case .rcptTo: .rcptTo
        case .reset: .reset
        case .quit: .quit
        // Established and waiting: in a check, the next thing is the probe's MAIL FROM.
        case .idle: .mailFrom
        // Not part of a check: no message is sent.
        case .data, .endOfMessage: nil
        }
    }

    /// The steps of a session in the order they happen. With STARTTLS, EHLO is repeated after
    /// TLS (RFC 3207 §4.2); that second EHLO is listed only when it happened.
    private var canonicalOrder: [(name: SMTPCheckStep.Name, optional: Bool)] {
        let envelope: [(SMTPCheckStep.Name, Bool)] = [(.auth, false), (.mailFrom, false), (.rcptTo, false), (.reset, false), (.quit, false)]
        if configuration.security == .implicitTLS {
            return [(.connect, false), (.tls, false), (.greeting, false), (.ehlo, false)] + envelope
        }
        return [(.connect, false), (.greeting, false), (.ehlo, false), (.tls, false), (.ehlo, true)] + envelope
    }

    /// The step that comes after those seen so far: where a failure without a phase belongs.
    private func nextStep(after groups: [Group]) -> SMTPCheckStep.Name {
        var index = 0
        for group in groups {
            if let found = canonicalOrder[index...].firstIndex(where: { $0.name == group.name }) { index = found + 1 }
        }
        return index < canonicalOrder.count ? canonicalOrder[index].name : .quit
    }

    /// Walks the canonical order: steps that happened, then for the others the reason they did not.
    private func merge(_ groups: [Group]) -> [SMTPCheckStep] {
        var steps: [SMTPCheckStep] = []
        var next = 0
        var failed = false
        var afterTLS = false
        for (name, optional) in canonicalOrder {
            if let found = groups[next...].firstIndex(where: { $0.name == name }) {
                // Anything out of the usual order is still shown, where it happened.
                for group in groups[next...found] {
                    steps.append(step(group, afterTLS: afterTLS))
                    if group.failure != nil { failed = true }
                    if group.name == .tls { afterTLS = true }
                }
                next = found + 1
                continue
            }
            if optional { continue }
            steps.append(failed
                ? SMTPCheckStep(name: name, status: .skipped, ok: false, detail: ["skipped: an earlier step failed"])
                : notApplicable(name))
        }
        steps.append(contentsOf: groups[next...].map { step($0, afterTLS: afterTLS) })
        return steps
    }

    private func notApplicable(_ name: SMTPCheckStep.Name) -> SMTPCheckStep {
        let reason: String
        switch name {
        case .tls:
            reason = configuration.security == .plaintext
                ? "skipped: TLS is off (SMTP_OPPORTUNISTIC_TLS=false); the session is not encrypted"
                : "skipped: the server does not offer STARTTLS; the session is not encrypted (SMTP_REQUIRE_STARTTLS=true refuses such a server)"
        case .auth:
            reason = "skipped: no credentials configured"
        case .quit:
            reason = "skipped: the server closed the connection without answering QUIT"
        default:
            reason = "skipped"
        }
        return SMTPCheckStep(name: name, status: .skipped, ok: true, detail: [reason])
    }

    // MARK: Details

    private func step(_ group: Group, afterTLS: Bool) -> SMTPCheckStep {
        let duration = group.started.duration(to: group.finished)
        if let error = group.failure {
            var detail = [error.message]
            if let reply = error.reply { detail.append("server said: \(reply)") }
            // A hostname mismatch is found after the handshake: the certificate is known and explains it.
            for entry in group.entries {
                if case .tlsEstablished(let session) = entry.event { detail += session.tlsDescription(skipVerify: configuration.tls.skipVerify) }
            }
            return SMTPCheckStep(name: group.name, status: .failed, ok: false, duration: duration, detail: detail, error: error)
        }
        return SMTPCheckStep(name: group.name, status: .passed, ok: true, duration: duration, detail: detail(of: group, afterTLS: afterTLS))
    }

    private func detail(of group: Group, afterTLS: Bool) -> [String] {
        let replies: [(reply: SMTPReply, command: String?)] = group.entries.compactMap {
            if case .reply(let reply, let command) = $0.event { (reply, command) } else { nil }
        }
        switch group.name {
        case .connect:
            for entry in group.entries {
                if case .connected(let address?) = entry.event { return [address] }
            }
            return ["\(configuration.host):\(configuration.port)"]
        case .ehlo:
            guard let last = replies.last else { return [] }
            let hello = last.command?.hasPrefix("HELO") == true ? "HELO (the server does not know EHLO): no extensions" : nil
            let extensions = last.reply.code == 250 ? Array(last.reply.lines.dropFirst()) : []
            let name = last.reply.lines.first.map { String($0.prefix { $0 != " " }) } ?? ""
            if let hello { return [hello] }
            return ["\(name)\(afterTLS ? " (after TLS)" : ""): " + (extensions.isEmpty ? "no extensions" : extensions.joined(separator: ", "))]
        case .tls:
            for entry in group.entries {
                if case .tlsEstablished(let session) = entry.event {
                    let how = configuration.security == .implicitTLS ? "implicit TLS" : "STARTTLS"
                    var lines = session.tlsDescription(skipVerify: configuration.tls.skipVerify)
                    lines[0] += " (\(how))"
                    return lines
                }
            }
            return replies.map { "\($0.reply)" }
        case .auth:
            let mechanism = Self.mechanism(group) ?? "AUTH"
            return replies.last.map { ["\(mechanism): \($0.reply)"] } ?? [mechanism]
        case .mailFrom:
            return replies.last.map { ["<\(sender)>: \($0.reply)"] } ?? []
        case .rcptTo:
            return replies.last.map { ["<\(recipient)>: \($0.reply)"] } ?? []
        case .greeting, .reset, .quit:
            return replies.last.map { ["\($0.reply)"] } ?? []
        }
    }

    /// "PLAIN" from the redacted command "AUTH PLAIN <redacted>", or from the failure.
    private static func mechanism(_ group: Group) -> String? {
        let commands = group.entries.compactMap { entry -> String? in
            if case .reply(_, let command) = entry.event { return command }
            return nil
        } + [group.failure?.command].compactMap { $0 }
        for command in commands {
            let words = command.split(separator: " ")
            if words.count >= 2, words[0] == "AUTH" { return String(words[1]) }
        }
        return nil
    }
}
