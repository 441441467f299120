import Foundation
import Testing
@testable import Outbox

@Suite struct EmailIDTests {
    @Test func idsAreLowercaseVersion7UUIDsCarryingTheirMillisecond() throws {
        let now = Date(timeIntervalSince1970: 1_765_000_000.123)
        let id = EmailID.generate(now: now)
        #expect(id == id.lowercased())
        let uuid = try #require(UUID(uuidString: id))
        let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 7, "version nibble of \(id)")
        #expect(bytes[8] >> 6 == 0b10, "RFC 9562 variant of \(id)")
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds >= 1_765_000_000_123)
    }

    /// The outbox's indexes stay append-only only if ids made later sort later, also within one
    /// millisecond and past the 4,096 a millisecond's counter holds.
    @Test func idsMadeOneAfterTheOtherSortOneAfterTheOther() {
        let instant = Date()
        var previous = EmailID.generate(now: instant)
        var seen: Set<String> = [previous]
        for _ in 0..<10_000 {
            let next = EmailID.generate(now: instant)
            #expect(next > previous, "\(next) after \(previous)")
            seen.insert(next)
            previous = next
        }
        #expect(seen.count == 10_001)
    }
}
