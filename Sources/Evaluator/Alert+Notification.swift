import Notifier
import PromQL
import Series

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
        externalURL + "/graph?g0.expr=" + goQueryEscape(expr.description) + "&g0.tab=1"
    }
}
