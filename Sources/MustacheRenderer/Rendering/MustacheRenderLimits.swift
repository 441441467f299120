/// Bounds on one render. Templates are trusted but the data is not: a section over a list
/// inside another over the same list, or a partial included twice per level, multiplies the
/// work, and a caller choosing the list lengths could otherwise hold a core for minutes.
/// A render that reaches a bound stops and says which in `MustacheRenderResult.limitReached`.
public struct MustacheRenderLimits: Sendable, Equatable {
    /// Largest output, in UTF-8 bytes. A render stops at the first append past it.
    public var maximumOutputBytes: Int
    /// Most units of work: one per node rendered and one per context frame searched by a lookup
    /// (the two costs that grow with nesting). Well above what any email template needs.
    public var maximumSteps: Int
    /// Deepest chain of partials, parents and block arguments expanded inside each other.
    public var maximumExpansionDepth: Int
    /// Deepest nesting of sections and expansions together; each level costs stack frames.
    public var maximumNesting: Int

    public init(maximumOutputBytes: Int = 16 << 20, maximumSteps: Int = 5_000_000,
                maximumExpansionDepth: Int = 100, maximumNesting: Int = 512) {
        self.maximumOutputBytes = maximumOutputBytes
        self.maximumSteps = maximumSteps
        self.maximumExpansionDepth = maximumExpansionDepth
        self.maximumNesting = maximumNesting
    }

    public static let `default` = MustacheRenderLimits()
}

/// The bound a render reached, with the fix it most likely needs.
public enum MustacheRenderLimit: Sendable, Equatable, CustomStringConvertible {
    case outputBytes(Int)
    case steps(Int)
    case expansionDepth(Int)
    case nesting(Int)

    public var description: String {
        switch self {
        case .outputBytes(let bytes):
            return "the output grew past \(bytes) bytes (is a list in the data far longer than expected, or a partial included in a loop?)"
        case .steps(let steps):
            return "the work passed \(steps) steps (sections over lists nested inside each other, or partials included in loops, multiply the work: check list lengths and the template's nesting)"
        case .expansionDepth(let depth):
            return "partials and layouts nested more than \(depth) deep (a partial that includes itself needs a section that ends the recursion)"
        case .nesting(let levels):
            return "sections and partials nested more than \(levels) levels deep"
        }
    }
}
