import Foundation
import Configuration

/// Reads raw values through swift-configuration and collects problems instead of stopping at the first.
///
/// Values are read as strings and parsed here so that every error can say what was expected;
/// secrets are marked as such for swift-configuration and never quoted back in a problem.
struct EnvironmentReader {
    private let reader: ConfigReader
    private(set) var problems: [ConfigurationProblem] = []

    static let secretVariables: Set<String> = ["SMTP_PASSWORD", "SMTP_OAUTH2_TOKEN", "SMTP_FALLBACK_PASSWORD", "SMTP_FALLBACK_OAUTH2_TOKEN", "DKIM_PRIVATE_KEY"]

    init(environment: [String: String]) {
        let provider = EnvironmentVariablesProvider(
            environmentVariables: environment,
            secretsSpecifier: .specific(Self.secretVariables)
        )
        reader = ConfigReader(provider: provider)
    }

    /// The trimmed value, or nil when unset or empty (an empty `FOO=` line in `.env` means "not set").
    func string(_ name: String) -> String? {
        guard let value = reader.string(forKey: ConfigKey([name]), isSecret: Self.secretVariables.contains(name)) else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The value without trimming, for secrets whose spaces may be significant.
    func raw(_ name: String) -> String? {
        guard let value = reader.string(forKey: ConfigKey([name]), isSecret: Self.secretVariables.contains(name)), !value.isEmpty else { return nil }
        return value
    }

    mutating func required(_ name: String, _ expectation: String) -> String? {
        guard let value = string(name) else {
            problem(name, "is required: \(expectation)")
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

    mutating func problem(_ variable: String, _ message: String) {
        problems.append(ConfigurationProblem(variable: variable, message: message))
    }
}
