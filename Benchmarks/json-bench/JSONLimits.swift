/// What JSONReader uses of the service's JSONLimits (JSONLimits.swift itself needs Hummingbird for
/// its problems); the path itself is the service's JSONPath.swift.
enum JSONLimits {
    typealias PathComponent = JSONPathComponent
    static func path(_ components: [PathComponent]) -> String { JSONPathComponent.text(components) }
}
