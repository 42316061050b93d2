import Notifier
import PromQL

extension Alert {
    /// The alert as the notifier sends it (Prometheus's `sendAlerts`): it starts when it fired,
    /// ends when it resolved or, while firing, when its validity runs out, and links to the
    /// rule's expression on llmwatch's graph page.
    public func postable(expr: Expr, externalURL: String) -> PostableAlert {
        PostableAlert(
            labels: labels, annotations: annotations, startsAt: firedAt ?? activeAt, endsAt: resolvedAt ?? validUntil,
            generatorURL: Self.generatorURL(expr: expr, externalURL: externalURL))
    }

    /// `<externalURL>/graph?g0.expr=<expr>&g0.tab=1`, the expression printed canonically and
    /// escaped as Go's `url.QueryEscape` escapes it (Prometheus's `TableLinkForExpression`).
    public static func generatorURL(expr: Expr, externalURL: String) -> String {
        externalURL + "/graph?g0.expr=" + queryEscape(expr.description) + "&g0.tab=1"
    }

    /// Go's `url.QueryEscape`: letters, digits and `-_.~` stay, a space becomes `+`, every other
    /// byte is `%XX` in upper case.
    static func queryEscape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
