/// One page of a newest-first listing.
public struct MessagePage: Sendable, Equatable {
    public var messages: [MessageRecord]
    /// Pass to `list` for the next (older) page; nil on the last page.
    public var nextCursor: String?

    /// Memberwise, for the storages in other modules of this package.
    package init(messages: [MessageRecord], nextCursor: String?) {
        self.messages = messages
        self.nextCursor = nextCursor
    }
}
