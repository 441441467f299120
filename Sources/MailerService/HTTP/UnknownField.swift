/// The answer to a field a fixed-shape object does not have: its name, and for a typo the field
/// meant (`tempalte` → `template`), so a caller fixes it at first reading rather than comparing lists.
enum UnknownField {
    /// Fields callers send believing they choose the sender; the answer says why they cannot.
    static let senderFields: Set<String> = ["from", "sender", "fromname", "fromaddress", "mailfrom", "envelopefrom", "returnpath", "return-path"]

    /// `field` is the full path of the unknown member (`attachments[0].fileName`), `name` its own name.
    static func problem(_ name: String, field: String, accepted: [String], otherwise: String) -> Problem {
        if senderFields.contains(name.lowercased()) {
            return Problem.validation(field, "unknown field '\(name)': the sender is always SMTP_SENDER, set by whoever runs the service; a request cannot choose it (use 'replyTo' for where answers go)")
        }
        if let suggestion = suggestion(for: name, among: accepted) {
            return Problem.validation(field, "unknown field '\(name)'; did you mean '\(suggestion)'?")
        }
        return Problem.validation(field, "unknown field '\(name.prefix(100))'; \(otherwise)")
    }

    /// The accepted name closest to `name`, when it is close enough to be a typo: at most one edit
    /// for short names, two from six letters on (a swap of two letters is one edit).
    static func suggestion(for name: String, among accepted: [String]) -> String? {
        guard name.count <= 64 else { return nil }
        let typed = Array(name.lowercased())
        var best: (name: String, distance: Int)?
        for candidate in accepted {
            let distance = editDistance(typed, Array(candidate.lowercased()))
            let allowed = candidate.count >= 6 ? 2 : 1
            guard distance <= allowed, distance < (best?.distance ?? .max) else { continue }
            best = (candidate, distance)
        }
        return best?.name
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
