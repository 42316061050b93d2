import PromQL
import Series
import Testing

@testable import Evaluator

/// Template expansion, with expected outputs taken from promtool 2.42 (the same cases run through
/// promtool in `Fixtures/ruletests/templates.test.yml`, which passes there).
@Suite struct TemplateTests {
    static let labels = ["__name__": "v", "job": "api", "instance": "host:9090"]

    static func expand(_ text: String, value: Double = 1e6) async -> String {
        let sample = VectorSample(labels: Labels(labels), timestamp: 0, value: 1e6)
        return await RuleTemplate.expand(
            text, name: "__alert_T", labels: labels, externalLabels: ["cluster": "c1"],
            externalURL: "http://example.com:9090/prom", functionsURL: "http://example.com:9090/prom", value: value,
            query: { query in query == "v" ? [sample] : [] })
    }

    @Test(arguments: [
        ("{{ $value }}", "1e+06"),
        ("{{ $value | humanize }}", "1M"),
        ("{{ $value | humanize1024 }}", "976.6ki"),
        ("{{ $value | humanizePercentage }}", "1e+08%"),
        ("{{ $value | humanizeDuration }}", "11d 13h 46m 40s"),
        ("{{ $value | humanizeTimestamp }}", "1970-01-12 13:46:40 +0000 UTC"),
        ("{{ printf \"%.2f\" $value }}", "1000000.00"),
        (
            "{{ printf \"%g|%e|%v|%5.1f|%-6.2f|%d\" $value $value $value $value $value 3 }}",
            "1e+06|1.000000e+06|1e+06|1000000.0|1000000.00|3"
        ),
        ("{{ $labels.job | toUpper }} {{ $labels.job | title }} {{ $labels.missing }}", "API Api "),
        ("{{ reReplaceAll \"(.*):(.*)\" \"$2-${1}x\" $labels.instance }}", "9090-hostx"),
        ("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", "__name__=v;instance=host:9090;job=api;"),
        ("{{ with $labels.job }}job={{ . }}{{ else }}none{{ end }}", "job=api"),
        ("{{ printf \"%.4g %q %s %x\" 1234567.0 \"q\" \"s\" 255 }}", "1.235e+06 \"q\" s ff"),
        ("{{- \" trimmed \" -}}   {{/* comment */}}  done", " trimmed   done"),
        (
            "{{ query \"v\" | first | value }} {{ with query \"v\" }}{{ . | first | label \"job\" }}{{ end }}",
            "1e+06 api"
        ),
        (
            "{{ len $labels }} {{ index $labels \"job\" }} {{ eq $labels.job \"api\" }} {{ and 1 0 }} {{ or 0 \"x\" }} {{ not true }}",
            "3 api true 0 x false"
        ),
        (
            "{{ match \"^a\" $labels.job }} {{ toLower \"ABC\" }} {{ stripPort $labels.instance }} {{ parseDuration \"1h30m\" }}",
            "true abc host 5400"
        ),
        (
            "{{ humanize 0.000123 }} {{ humanize 1e30 }} {{ humanize1024 1 }} {{ humanizeDuration 0.5 }} {{ humanizeDuration 90061 }} {{ humanizeDuration 1.5 }} {{ humanize \"1234\" }} {{ humanizeDuration 0 }} {{ humanizePercentage 0.123456 }}",
            "123u 1e+06Y 1 500ms 1d 1h 1m 1s 1.5s 1.234k 0s 12.35%"
        ),
        (
            "{{ print 1 2 \"a\" \"b\" 3.5 }} {{ printf \"%v\" $labels }} {{ 1.5 }} {{ 1e6 }} {{ 100000.0 }}",
            "1 2ab3.5 map[__name__:v instance:host:9090 job:api] 1.5 1e+06 100000"
        ),
        (
            "{{ humanizeTimestamp 1435065584.128 }} {{ toTime 1 }} {{ graphLink \"up > 1\" }} {{ tableLink \"a b\" }}",
            "2015-06-23 13:19:44.128 +0000 UTC 1970-01-01 00:00:01 +0000 UTC /graph?g0.expr=up+%3E+1&g0.tab=0 /graph?g0.expr=a+b&g0.tab=1"
        ),
        ("{{ $x := 5 }}{{ $x }}{{ $x = 6 }}{{ $x }}{{ if false }}{{ else if true }}elif{{ end }}", "56elif"),
        (
            "{{ range query \"v\" }}{{ .Labels.job }}:{{ .Value }} {{ end }}{{ range $i, $s := query \"nothing\" }}x{{ else }}empty{{ end }}",
            "api:1e+06 empty"
        ),
        (
            "{{ printf \"%08.3f|%+d|%x|%X|%o|%5s|%-5s|%.1s\" 3.14159 5 \"hi\" 255 8 \"ab\" \"ab\" \"xyz\" }}",
            "0003.142|+5|6869|FF|10|   ab|ab   |x"
        ),
        (
            "{{ printf \"%v %v %v\" 0.1 1e21 123456789.0 }} {{ printf \"%.3g %.10g %g\" 1e-5 0.1 1e-7 }}",
            "0.1 1e+21 1.23456789e+08 1e-05 0.1 1e-07"
        ),
        (
            "{{ \"a\\tb\" }} {{ `raw\\n` }} {{ html \"<a&b>\" }} {{ urlquery \"a b&c\" }} {{ js \"a'b\" }}",
            "a\tb raw\\n &lt;a&amp;b&gt; a+b%26c a\\'b"
        ),
        (
            "{{ (query \"v\" | first).Value }} {{ sortByLabel \"job\" (query \"v\") | len }} {{ args 1 \"a\" }}",
            "1e+06 1 map[arg0:1 arg1:a]"
        ),
        (
            "{{ $value | printf \"%.1f\" }} {{ -1.5 | humanize }} {{ humanize -1234.5 }} {{ humanizeDuration -3700 }}",
            "1000000.0 -1.5 -1.234k -1h 1m 40s"
        ),
        (
            "{{ $externalLabels.cluster }} {{ $externalURL }} {{ pathPrefix }} {{ externalURL }}",
            "c1 http://example.com:9090/prom /prom http://example.com:9090/prom"
        ),
    ])
    func rendersLikeGo(template: String, expected: String) async {
        #expect(await Self.expand(template) == expected)
    }

    @Test(arguments: [
        (1e6, "1e+06"), (0.1, "0.1"), (123456.0, "123456"), (1e-5, "1e-05"), (-0.0, "-0"), (.nan, "NaN"),
        (.infinity, "+Inf"), (Double.leastNonzeroMagnitude, "5e-324"),
    ])
    func valueFormatting(value: Double, expected: String) async {
        #expect(await Self.expand("{{ $value }}", value: value) == expected)
    }

    @Test func failedFunctionRendersAsPrometheusDoes() async {
        let text = "{{ first (query \"nothing\") }}"
        let defs = RuleTemplate.definitions.utf8.count
        #expect(
            await Self.expand(text)
                == "<error expanding template: error executing template __alert_T: template: __alert_T:1:\(defs + 3): executing \"__alert_T\" at <first (query \"nothing\")>: error calling first: first() called on vector with no elements>"
        )
    }

    @Test func promtoolHasNoURLForFunctions() async {
        let text = "{{ pathPrefix }}"
        let out = await RuleTemplate.expand(text, name: "__alert_T", labels: [:], value: 0)
        #expect(
            out.hasSuffix("error calling pathPrefix: runtime error: invalid memory address or nil pointer dereference>")
        )
    }

    @Test(
        arguments: [
            ("{{ $value ", "template: __alert_T:1: unclosed action"),
            ("{{ humanizeX $value }}", "template: __alert_T:1: function \"humanizeX\" not defined"),
            ("{{ if }}", "template: __alert_T:1: missing value for if"),
            ("{{ if true }}x", "template: __alert_T:1: unexpected EOF"),
            ("{{ end }}", "template: __alert_T:1: unexpected {{end}}"),
            ("{{ $nope }}", "template: __alert_T:1: undefined variable \"$nope\""),
            ("line\n{{ \"a }}", "template: __alert_T:2: unterminated quoted string"),
            ("{{/* x */}}{{ $value }}", nil),
            ("{{ range $x := $labels }}{{ break }}{{ end }}", nil),
        ] as [(String, String?)])
    func parseErrors(template: String, expected: String?) {
        #expect(RuleTemplate.parseError(template, name: "__alert_T") == expected)
    }
}

/// Go's `fmt` formatting of floats and Prometheus's humanize functions.
@Suite struct GoFormatTests {
    @Test(arguments: [
        ("%.4g", 1234.5, "1234"), ("%.4g", 12345.0, "1.234e+04"), ("%.4g", 100.0, "100"), ("%.4g", 100000.0, "1e+05"),
        ("%.4g", 0.00012345, "0.0001234"), ("%.4g", 0.000012345, "1.234e-05"), ("%.2f", 2.675, "2.67"),
        ("%e", 123.456, "1.234560e+02"), ("%g", 1e21, "1e+21"), ("%8.2f", -3.14159, "   -3.14"),
        ("%-8.2f|", 3.14159, "3.14    |"), ("%+.1f", 2.0, "+2.0"), ("%f", Double.infinity, "+Inf"),
        ("%d", 1.5, "%!d(float64=1.5)"), ("%G", 1e-10, "1E-10"),
    ])
    func floats(format: String, value: Double, expected: String) {
        #expect(GoFormat.sprintf(format, [.float(value)]) == expected)
    }

    @Test func missingAndExtraArguments() {
        #expect(GoFormat.sprintf("%s %s", [.string("a")]) == "a %!s(MISSING)")
        #expect(GoFormat.sprintf("%s", [.string("a"), .int(1)]) == "a%!(EXTRA int=1)")
        #expect(GoFormat.sprintf("100%%", []) == "100%")
    }

    @Test(arguments: [
        (0.0, "0"), (999.0, "999"), (1000.0, "1k"), (1234567.0, "1.235M"), (0.5, "500m"), (-0.001, "-1m"),
        (1e-9, "1n"), (Double.nan, "NaN"),
    ])
    func humanize(value: Double, expected: String) {
        #expect(Humanize.humanize(value) == expected)
    }

    @Test(arguments: [
        (0.0, "0s"), (59.9, "59.9s"), (60.0, "1m 0s"), (3600.0, "1h 0m 0s"), (86400.5, "1d 0h 0m 0s"),
        (0.0015, "1.5ms"), (-90.0, "-1m 30s"),
    ])
    func humanizeDuration(value: Double, expected: String) {
        #expect(Humanize.duration(value) == expected)
    }

    @Test(arguments: [(1024.0, "1ki"), (1.0, "1"), (1536.0, "1.5ki"), (1_073_741_824.0, "1Gi")])
    func humanize1024(value: Double, expected: String) {
        #expect(Humanize.humanize1024(value) == expected)
    }
}
