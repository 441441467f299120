import Foundation
import Synchronization

/// Email ids: UUID version 7 (RFC 9562), lowercase, e.g. `019ad2c4-8f3e-7b21-9c4d-5e6f7a8b9c0d`.
///
/// The first 48 bits are the Unix time in milliseconds, so ids made one after the other sort one
/// after the other. The outbox keys its rows, bodies and attempts by id; time-ordered keys land
/// on the rightmost pages of those indexes instead of a random page each, which keeps an insert to
/// a few page writes however large the outbox grows (random UUIDs cost a page read and a page
/// write per index and email once the outbox outgrows SQLite's cache).
public enum EmailID {
    /// The last timestamp and sequence handed out, so ids made in the same millisecond still
    /// increase (RFC 9562 §6.2 method 1: a 12-bit counter in `rand_a`).
    private static let last = Mutex((milliseconds: UInt64(0), sequence: UInt16(0)))

    public static func generate(now: Date = Date()) -> String {
        let wall = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (milliseconds, sequence) = last.withLock { last -> (UInt64, UInt16) in
            if wall > last.milliseconds {
                // A random start leaves room to count up within the millisecond.
                last = (wall, UInt16.random(in: 0..<0x400))
            } else if last.sequence < 0xFFF {
                last.sequence += 1
            } else {
                // 4,096 ids in one millisecond: borrow the next one rather than repeat or go back.
                last = (last.milliseconds + 1, 0)
            }
            return last
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index)))
        }
        bytes[6] = 0x70 | UInt8(sequence >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: sequence)
        var random = SystemRandomNumberGenerator()
        let tail = random.next() as UInt64
        for index in 8..<16 {
            bytes[index] = UInt8(truncatingIfNeeded: tail >> (8 * (15 - index)))
        }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // RFC 9562 variant
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        )).uuidString.lowercased()
    }
}
