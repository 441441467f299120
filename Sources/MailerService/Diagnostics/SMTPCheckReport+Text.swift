import Foundation
import SMTP

/// The human output of `mailer check-smtp`: one line per step (✓, ✗, or - for skipped) with its
/// duration, further lines indented under it, and a summary line.
extension SMTPCheckReport {
    public var text: String {
        var lines = ["SMTP check of \(host):\(port) (\(security.label)), probing <\(sender)> -> <\(recipient)>; no message is sent"]
        let width = steps.map(\.name.rawValue.count).max() ?? 0
        let indent = String(repeating: " ", count: width + 4)
        for step in steps {
            let mark = switch step.status {
            case .passed: "✓"
            case .failed: "✗"
            case .skipped: "-"
            }
            var detail = step.detail
            var first = detail.isEmpty ? "" : detail.removeFirst()
            if let error = step.error {
                first = "\(error.code.rawValue)  \(first)"
                detail.append("hint: \(error.hint)")
            }
            let duration = step.durationMilliseconds.map { $0 == 0 ? "  <1 ms" : "  \($0) ms" } ?? ""
            let name = step.name.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("\(mark) \(name)  \(first)\(duration)")
            lines += detail.map { indent + $0 }
        }
        let total = "\(Self.milliseconds(duration)) ms"
        if let failed = failedStep, let error = failed.error {
            lines.append("FAILED at \(failed.name.rawValue) (\(error.code.rawValue)) after \(total): \(error.message)")
        } else {
            lines.append("OK: every step passed in \(total); no message was sent")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
