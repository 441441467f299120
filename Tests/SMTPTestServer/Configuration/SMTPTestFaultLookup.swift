/// The configured faults, looked up by kind (first match wins).
extension [SMTPTestFault] {
    var greetingDelay: Double? {
        for case .greetingDelay(let seconds) in self { return seconds }
        return nil
    }

    var greeting: (code: Int, text: String)? {
        for case .greeting(let code, let text) in self { return (code, text) }
        return nil
    }

    var noGreeting: Bool {
        self.contains { if case .noGreeting = $0 { true } else { false } }
    }

    var closeAfterGreeting: Bool {
        self.contains { if case .closeAfterGreeting = $0 { true } else { false } }
    }

    var hideStartTLS: Bool {
        self.contains { if case .hideStartTLS = $0 { true } else { false } }
    }

    var rejectAuth: Bool {
        self.contains { if case .rejectAuth = $0 { true } else { false } }
    }

    var noReplyToData: Bool {
        self.contains { if case .noReplyToData = $0 { true } else { false } }
    }

    func closesOnCommand(_ verb: String, messagesDelivered: Int) -> Bool {
        self.contains {
            switch $0 {
            case .closeOnCommand(let closing): closing.uppercased() == verb
            case .closeOnCommandAfterMessages(let closing, let messages): closing.uppercased() == verb && messagesDelivered >= messages
            default: false
            }
        }
    }

    var closeDuringData: Bool {
        self.contains { if case .closeDuringData = $0 { true } else { false } }
    }

    var closeWhenIdle: (seconds: Double, announce: Bool)? {
        for case .closeWhenIdle(let seconds, let announce) in self { return (seconds, announce) }
        return nil
    }

    var rejectMailFrom: (code: Int, text: String)? {
        for case .rejectMailFrom(let code, let text) in self { return (code, text) }
        return nil
    }

    var rejectData: (code: Int, text: String)? {
        for case .rejectData(let code, let text) in self { return (code, text) }
        return nil
    }

    /// The reply for `RCPT TO:<address>`: the first `rejectRecipient` whose `matching`
    /// is nil or occurs in the address (case-insensitive).
    func rejection(forRecipient address: String) -> (code: Int, text: String)? {
        for case .rejectRecipient(let code, let text, let matching) in self {
            guard let matching else { return (code, text) }
            if address.lowercased().contains(matching.lowercased()) { return (code, text) }
        }
        return nil
    }
}
