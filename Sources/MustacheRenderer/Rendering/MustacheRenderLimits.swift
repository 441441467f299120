/// Bounds on one render. Templates are trusted but the data is not: a section over a list
/// inside another over the same list, or a partial included twice per level, multiplies the
/// work, and a caller choosing the list lengths could otherwise hold a core for minutes.
/// A render that reaches a bound stops and says which in `MustacheRenderResult.limitReached`;
/// the defaults are far above what an email template needs.
public struct MustacheRenderLimits: Sendable, Equatable {
    /// Largest output, in UTF-8 bytes. A render stops at the first append past it.
    public var maximumOutputBytes: Int
    /// Most units of work: one per node rendered, per list item iterated and per context frame a
    /// lookup searches, the costs that nesting multiplies. A 1,000-row table of ten columns (the
    /// longest list the service takes) needs ≈ 155,000. A render runs on a thread of the
    /// server's cooperative pool, so the bound is also how long one may hold it: ≈ 1,000,000 steps
    /// take a few tens of milliseconds in a release build.
    public var maximumSteps: Int
    /// Deepest chain of partials, parents and block arguments expanded inside each other.
    public var maximumExpansionDepth: Int
    /// Deepest nesting of sections and expansions together; each level costs stack frames.
    public var maximumNesting: Int

    public init(maximumOutputBytes: Int = 16 << 20, maximumSteps: Int = 1_000_000,
                maximumExpansionDepth: Int = 100, maximumNesting: Int = 512) {
        self.maximumOutputBytes = maximumOutputBytes
        self.maximumSteps = maximumSteps
        self.maximumExpansionDepth = maximumExpansionDepth
        self.maximumNesting = maximumNesting
    }

    public static let `default` = MustacheRenderLimits()

    /// The bounds as a caller reads them in documentation and help texts.
    public var summary: String {
        "over \(MustacheRenderLimitReached.size(maximumOutputBytes)) of output, over \(maximumSteps) steps, "
            + "partials nested over \(maximumExpansionDepth) deep, or sections and partials together over \(maximumNesting) deep"
    }
}
