import Series

extension Expr: CustomStringConvertible {
    /// The expression in canonical PromQL, parseable back into an equivalent expression.
    public var description: String {
        switch self {
        case .number(let value):
            return Formatting.goFixed(value)
        case .string(let value, let raw):
            return value.contains("\u{FFFD}") ? raw : Labels.quote(value)
        case .vectorSelector(let selector):
            return selector.description
        case .matrixSelector(let m):
            var base = m.selector
            let modifiers = Expr.modifiers(offset: base.offset, at: base.at)
            base.offset = 0
            base.at = nil
            return "\(base)[\(Formatting.duration(m.range))]\(modifiers)"
        case .subquery(let s):
            let step = s.step == 0 ? "" : Formatting.duration(s.step)
            return
                "\(s.expr)[\(Formatting.duration(s.range)):\(step)]\(Expr.modifiers(offset: s.offset, at: s.at))"
        case .paren(let inner):
            return "(\(inner))"
        case .unary(let op, let inner):
            return "\(op.rawValue)\(inner)"
        case .binary(let b):
            var modifiers = b.returnBool ? " bool" : ""
            if let m = b.matching {
                let grouped = m.card == .manyToOne || m.card == .oneToMany
                if !m.matchingLabels.isEmpty || m.on || grouped {
                    modifiers += " \(m.on ? "on" : "ignoring") (\(Expr.labelList(m.matchingLabels)))"
                }
                if grouped {
                    modifiers +=
                        " \(m.card == .manyToOne ? "group_left" : "group_right") (\(Expr.labelList(m.include)))"
                }
            }
            return "\(b.lhs) \(b.op.rawValue)\(modifiers) \(b.rhs)"
        case .aggregate(let a):
            var head = a.op.rawValue
            if a.without {
                head += " without (\(Expr.labelList(a.grouping))) "
            } else if !a.grouping.isEmpty {
                head += " by (\(Expr.labelList(a.grouping))) "
            }
            let param = a.param.map { "\($0), " } ?? ""
            return "\(head)(\(param)\(a.expr))"
        case .call(let c):
            return "\(c.function.name)(\(c.args.map(\.description).joined(separator: ", ")))"
        }
    }

    static func labelList(_ labels: [String]) -> String {
        labels.map { Labels.isLegacyLabelName($0) ? $0 : Labels.quote($0) }.joined(separator: ", ")
    }

    static func modifiers(offset: Int64, at: AtModifier?) -> String {
        var out = ""
        switch at {
        case .timestamp(let ms)?:
            out += " @ " + fixed3(ms)
        case .start?:
            out += " @ start()"
        case .end?:
            out += " @ end()"
        case nil:
            break
        }
        if offset > 0 {
            out += " offset \(Formatting.duration(offset))"
        } else if offset < 0 {
            out += " offset -\(Formatting.duration(-offset))"
        }
        return out
    }

    /// Milliseconds as seconds with three decimals, as Prometheus prints `@` timestamps.
    static func fixed3(_ ms: Int64) -> String {
        let sign = ms < 0 ? "-" : ""
        let magnitude = ms.magnitude
        let fraction = String(magnitude % 1000)
        return
            "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}

extension VectorSelector: CustomStringConvertible {
    /// The selector in canonical PromQL: the name, then the other matchers sorted, then `@` and `offset`.
    public var description: String {
        let head = name.flatMap { Labels.isLegacyMetricName($0) ? $0 : nil } ?? ""
        let others = matchers.filter { m in
            !(m.name == Labels.metricName && m.type == .equal && m.value == head && !head.isEmpty)
        }.map(\.description).sorted()
        var out = head
        if !others.isEmpty { out += "{" + others.joined(separator: ",") + "}" }
        return out + Expr.modifiers(offset: offset, at: at)
    }
}
