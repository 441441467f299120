import Foundation
import Configuration

/// Reads raw values through swift-configuration and collects problems instead of stopping at the first.
///
/// Values are read as strings and parsed here so that every error can say what was expected;
/// secrets are marked as such for swift-configuration and never quoted back in a problem.
///
/// Every variable may instead be given as `<NAME>_FILE`, the path of a file holding the value, as
/// official Docker images do, so secrets can come from `/run/secrets` rather than the environment
/// (which `docker inspect` and child processes see). It is resolved here, on read, so it covers
/// every variable without a list of them, and a variable whose own name ends in `_FILE`
/// (`SMTP_CA_FILE`, a path by itself) is never mistaken for one: only `SMTP_CA_FILE_FILE` would be.
struct EnvironmentReader {
    private let reader: ConfigReader
    private(set) var problems: [ConfigurationProblem] = []
    /// Each `<NAME>_FILE` already looked at, by NAME, so a variable read twice is reported once.
    private var files: [String: FileValue] = [:]
    /// Every NAME read, set or not: the variables .env.example must document.
    private(set) var namesRead: Set<String> = []

    private enum FileValue {
        case read(path: String, content: String)
        /// Unreadable, or set together with NAME: reported once, under `<NAME>_FILE`.
        case refused
    }

    static let secretVariables: Set<String> = [
        "SMTP_PASSWORD", "SMTP_OAUTH2_TOKEN", "SMTP_FALLBACK_PASSWORD", "SMTP_FALLBACK_OAUTH2_TOKEN", "DKIM_PRIVATE_KEY", "MAILER_API_TOKENS",
        // Its password.
        "MAILER_DATABASE_URL",
    ]

    init(environment: [String: String]) {
        let provider = EnvironmentVariablesProvider(
            environmentVariables: environment,
            secretsSpecifier: .specific(Self.secretVariables)
        )
        reader = ConfigReader(provider: provider)
    }

    /// The trimmed value, or nil when unset or empty (an empty `FOO=` line in `.env` means "not set").
    mutating func string(_ name: String) -> String? {
        guard let value = value(name) else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The value without trimming, for secrets whose spaces may be significant.
    mutating func raw(_ name: String) -> String? {
        guard let value = value(name), !value.isEmpty else { return nil }
        return value
    }

    /// Whether NAME has a value, or NAME_FILE is set but unusable: that problem is reported already,
    /// and "is required" on top of it would send people looking in the wrong place.
    mutating func isGiven(_ name: String) -> Bool {
        if string(name) != nil { return true }
        if case .refused = files[name] { return true }
        return false
    }

    private func directValue(_ name: String) -> String? {
        reader.string(forKey: ConfigKey([name]), isSecret: Self.secretVariables.contains(name))
    }

    private func filePath(_ name: String) -> String? {
        guard let path = reader.string(forKey: ConfigKey([name + "_FILE"]))?.trimmingCharacters(in: .whitespacesAndNewlines), !path.isEmpty else {
            return nil
        }
        return path
    }

    /// NAME's value, or the content of the file NAME_FILE names.
    private mutating func value(_ name: String) -> String? {
        namesRead.insert(name)
        let direct = directValue(name)
        switch files[name] {
        case .read(_, let content): return content
        case .refused: return direct
        case nil: break
        }
        guard let path = filePath(name) else { return direct }
        if let direct, !direct.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            files[name] = .refused
            problem(name + "_FILE", "cannot be set together with \(name): keep one of them")
            return direct
        }
        guard let content = Self.readValueFile(path, variable: name, problem: { problem(name + "_FILE", $0) }) else {
            files[name] = .refused
            return nil
        }
        files[name] = .read(path: path, content: content)
        return content
    }

    /// The file's text without its trailing line breaks (editors and `echo` add one); nil after
    /// reporting why it cannot be used. Never quotes the content: these files hold secrets.
    private static func readValueFile(_ path: String, variable: String, problem: (String) -> Void) -> String? {
        let expectation = "must be the path of a readable file holding the value of \(variable)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            problem("\(expectation); \(path) does not exist")
            return nil
        }
        guard !isDirectory.boolValue else {
            problem("\(expectation); \(path) is a directory")
            return nil
        }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            // Docker secrets are often root-only (0400) while the image runs as its own user.
            problem("\(expectation); cannot read \(path) as user id \(getuid()) (check its owner and mode)")
            return nil
        }
        guard var content = String(validating: data, as: UTF8.self) else {
            problem("\(expectation); \(path) is not UTF-8 text")
            return nil
        }
        while content.hasSuffix("\n") || content.hasSuffix("\r") || content.hasSuffix("\r\n") { content.removeLast() }
        return content
    }

    mutating func required(_ name: String, _ expectation: String) -> String? {
        guard let value = string(name) else {
            if !isGiven(name) { problem(name, "is required: \(expectation)") }
            return nil
        }
        return value
    }

    mutating func bool(_ name: String, default defaultValue: Bool) -> Bool {
        guard let value = string(name) else { return defaultValue }
        switch value.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            problem(name, "must be true or false (also 1/0, yes/no), got \"\(value)\"")
            return defaultValue
        }
    }

    mutating func port(_ name: String, required isRequired: Bool, default defaultValue: Int) -> Int {
        guard let value = isRequired ? required(name, "a port number such as 587 (STARTTLS), 465 (implicit TLS) or 25") : string(name) else {
            return defaultValue
        }
        guard let port = Int(value), (1...65535).contains(port) else {
            problem(name, "must be a port number from 1 to 65535, got \"\(value)\"")
            return defaultValue
        }
        return port
    }

    mutating func integer(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int) -> Int {
        guard let value = string(name) else { return defaultValue }
        guard let number = Int(value), range.contains(number) else {
            problem(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(value)\"")
            return defaultValue
        }
        return number
    }

    mutating func seconds(_ name: String, default defaultValue: Duration) -> Duration {
        guard let value = string(name) else { return defaultValue }
        guard let seconds = Double(value), seconds >= 0.1, seconds <= 3600 else {
            problem(name, "must be a number of seconds from 0.1 to 3600, got \"\(value)\"")
            return defaultValue
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// A span such as `24h`, `90m`, `7d` or `3600` (seconds).
    mutating func duration(_ name: String, default defaultValue: Duration) -> Duration {
        guard let value = string(name) else { return defaultValue }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var number = Substring(value)
        var unit = 1.0
        if let last = number.last, let factor = units[Character(last.lowercased())] {
            unit = factor
            number = number.dropLast()
        }
        guard let amount = Double(number.trimmingCharacters(in: .whitespaces)), amount > 0, amount * unit <= 365 * 86400 else {
            problem(name, "must be a duration such as 24h, 90m, 7d or 3600 (seconds), up to a year, got \"\(value)\"")
            return defaultValue
        }
        return .milliseconds(Int64(amount * unit * 1000))
    }

    /// A positive rate such as 10 or 0.5 (one message every two seconds); unset means no limit.
    mutating func rate(_ name: String) -> Double? {
        guard let value = string(name) else { return nil }
        guard let rate = Double(value), rate.isFinite, rate >= 0.001, rate <= 100_000 else {
            problem(name, "must be a number of messages per second from 0.001 to 100000 (e.g. 10, or 0.5 for one every two seconds), got \"\(value)\"")
            return nil
        }
        return rate
    }

    /// A problem with a value read from `<NAME>_FILE` is reported under that name, the setting to change.
    mutating func problem(_ variable: String, _ message: String) {
        if case .read(let path, _) = files[variable] {
            problems.append(ConfigurationProblem(variable: variable + "_FILE", message: message + " (read from \(path))"))
        } else {
            problems.append(ConfigurationProblem(variable: variable, message: message))
        }
    }
}
