import HTTPTypes
import Synchronization

/// The two rate limits on emails, held in memory (per process; a restart forgets them):
/// MAILER_RATE_LIMIT_PER_MINUTE per API token, so one caller cannot flood the outbox, and
/// MAILER_PER_RECIPIENT_PER_HOUR per (flow, address) for verification, password-reset and
/// invitation emails, so a storm of resets cannot bury one person's inbox (or get the sender
/// blocked as a spammer) while that person's other emails still go.
final class SendingLimits: Sendable {
    /// The templates the per-recipient limit counts, however they are asked for (the generic route
    /// too: otherwise it would be a way round the limit).
    static let limitedFlows: Set<String> = ["verification", "password-reset", "invitation"]
    /// Distinct addresses remembered at most; beyond, the ones that waited longest are forgotten.
    static let recipientCapacity = 100_000

    struct RecipientKey: Hashable, Sendable {
        let flow: String
        let address: String
    }

    /// What `reserve` took, for `release` when the email is not queued after all.
    struct Reservation: Sendable {
        fileprivate let token: String?
        fileprivate let recipients: [RecipientKey]
    }

    private struct State {
        var tokens: RateLimiter<String>?
        var recipients: RateLimiter<RecipientKey>?
    }

    private let state: Mutex<State>
    private let perMinute: Int
    private let perHour: Int
    private let now: @Sendable () -> ContinuousClock.Instant

    init(perTokenPerMinute: Int, perRecipientPerHour: Int, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        perMinute = perTokenPerMinute
        perHour = perRecipientPerHour
        self.now = now
        state = Mutex(State(
            tokens: perTokenPerMinute > 0 ? RateLimiter(limit: perTokenPerMinute, period: .seconds(60), capacity: 10_000) : nil,
            recipients: perRecipientPerHour > 0 ? RateLimiter(limit: perRecipientPerHour, period: .seconds(3600), capacity: Self.recipientCapacity) : nil))
    }

    convenience init(_ configuration: MailerConfiguration, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.init(perTokenPerMinute: configuration.rateLimitPerMinute, perRecipientPerHour: configuration.perRecipientPerHour, now: now)
    }

    /// Takes one email from the token's budget and from each recipient's (for the limited flows),
    /// all or nothing: a refusal takes nothing from any of them.
    ///
    /// - Parameter token: the API token's name; one shared budget when the API is open.
    /// - Parameter recipients: the envelope's addresses with the field each came from.
    func reserve(token: String, template: String, recipients: [(field: String, address: String)]) throws(Problem) -> Reservation {
        let now = now()
        let flow = Self.limitedFlows.contains(template) ? template : nil
        let result: Result<Reservation, Problem> = state.withLock { state in
            var takenToken: String?
            if state.tokens != nil {
                if case .limited(let wait) = state.tokens!.acquire(token, now: now) {
                    return .failure(Self.tokenProblem(perMinute: perMinute, token: token, wait: wait))
                }
                takenToken = token
            }
            var taken: [RecipientKey] = []
            if state.recipients != nil, let flow {
                var seen = Set<RecipientKey>()
                for (field, address) in recipients {
                    let key = RecipientKey(flow: flow, address: address.lowercased())
                    guard seen.insert(key).inserted else { continue }
                    if case .limited(let wait) = state.recipients!.acquire(key, now: now) {
                        for key in taken { state.recipients!.release(key, now: now) }
                        if let takenToken { state.tokens!.release(takenToken, now: now) }
                        return .failure(Self.recipientProblem(perHour: perHour, flow: flow, field: field, wait: wait))
                    }
                    taken.append(key)
                }
            }
            return .success(Reservation(token: takenToken, recipients: taken))
        }
        return try result.get()
    }

    /// Gives back what `reserve` took: the email was a replay of an Idempotency-Key, or not stored.
    func release(_ reservation: Reservation) {
        let now = now()
        state.withLock { state in
            if let token = reservation.token { state.tokens?.release(token, now: now) }
            for key in reservation.recipients { state.recipients?.release(key, now: now) }
        }
    }

    /// Retry-After in whole seconds, rounded up: at that time the request goes through.
    static func retryAfterSeconds(_ wait: Duration) -> Int {
        let (seconds, attoseconds) = wait.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }

    private static func tokenProblem(perMinute: Int, token: String, wait: Duration) -> Problem {
        let seconds = retryAfterSeconds(wait)
        let who = token.isEmpty ? "this service (MAILER_API_AUTH=none: all callers share one budget)" : "the API token '\(token)'"
        return Problem(status: .tooManyRequests, code: "ERATELIMIT", title: "Too many emails",
                       detail: "\(who) queued its \(perMinute) emails a minute (MAILER_RATE_LIMIT_PER_MINUTE); send again in \(seconds) s (Retry-After), or raise MAILER_RATE_LIMIT_PER_MINUTE",
                       headers: [.retryAfter: "\(seconds)"])
    }

    private static func recipientProblem(perHour: Int, flow: String, field: String, wait: Duration) -> Problem {
        let seconds = retryAfterSeconds(wait)
        return Problem(status: .tooManyRequests, code: "ERATELIMIT", title: "Too many emails to one address",
                       detail: "an address in '\(field)' has had \(perHour) \(flow) emails within the hour (MAILER_PER_RECIPIENT_PER_HOUR); the next one can go in \(seconds) s (Retry-After). Other kinds of email to it still go",
                       extra: ["field": .string(field)], headers: [.retryAfter: "\(seconds)"])
    }
}
