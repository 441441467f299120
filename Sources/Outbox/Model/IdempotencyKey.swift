/// A client's Idempotency-Key with the answer to replay when the same key comes again.
public struct IdempotencyKey: Sendable, Equatable {
    /// At most 255 bytes of UTF-8, never empty.
    public var value: String
    /// The answer given to the first request (typically its JSON body), stored with the key so a
    /// repeated request gets the same answer without a second email.
    public var answer: [UInt8]

    public init(_ value: String, answer: [UInt8]) {
        self.value = value
        self.answer = answer
    }

    public static let maximumLength = 255

    /// Throws `invalidArgument` unless the key has 1 to `maximumLength` bytes; every storage
    /// checks this before it stores the key.
    public func validate() throws {
        let length = value.utf8.count
        if length == 0 || length > Self.maximumLength {
            throw OutboxError.invalidArgument("an Idempotency-Key must have 1 to \(Self.maximumLength) bytes, got \(length)")
        }
    }
}
