/// Where `GET /metrics` is served (MAILER_METRICS_PORT).
public enum MetricsEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// Unset: on MAILER_PORT, beside the API.
    case mainPort
    /// A port of its own, e.g. one that only the monitoring network reaches; then not on MAILER_PORT.
    case port(Int)
    /// `off`: no metrics endpoint at all.
    case off

    public var description: String {
        switch self {
        case .mainPort: "/metrics on MAILER_PORT"
        case .port(let port): "/metrics on port \(port)"
        case .off: "off"
        }
    }
}
