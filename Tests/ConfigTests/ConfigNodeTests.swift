import Testing

@testable import Config

/// The typed readers: `value: <yaml>` read with one reader, giving a value or an error.
@Suite struct ConfigNodeTests {
    private func value(_ yaml: String, environment: [String: String] = [:]) throws -> ConfigNode {
        try ConfigLoader.parse("value: \(yaml)", file: "f.yml", environment: environment).mapping().entries[0].value
    }

    private func message(_ read: () throws -> Any) -> String? {
        do {
            _ = try read()
            return nil
        } catch {
            return "\(error)"
        }
    }

    static let ints: [(String, Int?)] = [
        ("3", 3), ("-10", -10), ("+4", 4), ("'7'", 7), ("1.5", nil), ("three", nil), ("0x10", nil),
    ]

    @Test(arguments: ints)
    func int(yaml: String, expected: Int?) throws {
        let node = try value(yaml)
        if let expected {
            #expect(try node.int() == expected)
        } else {
            #expect(message { try node.int() }?.hasPrefix("f.yml:1:8: expected an integer, got") == true)
        }
    }

    static let doubles: [(String, Double?)] = [
        ("1.5", 1.5), ("2", 2), ("-3e2", -300), (".inf", .infinity), ("-.inf", -.infinity),
        ("nan", nil), ("inf", nil), ("1,5", nil), ("fast", nil),
    ]

    @Test(arguments: doubles)
    func double(yaml: String, expected: Double?) throws {
        let node = try value(yaml)
        if let expected {
            #expect(try node.double() == expected)
        } else {
            #expect(message { try node.double() }?.contains("expected a number") == true)
        }
    }

    @Test func doubleNaN() throws {
        #expect(try value(".nan").double().isNaN)
    }

    static let bools: [(String, Bool?)] = [
        ("true", true), ("True", true), ("FALSE", false), ("yes", true), ("off", false),
        ("1", nil), ("enabled", nil),
    ]

    @Test(arguments: bools)
    func bool(yaml: String, expected: Bool?) throws {
        let node = try value(yaml)
        if let expected {
            #expect(try node.bool() == expected)
        } else {
            #expect(message { try node.bool() }?.contains("expected true or false") == true)
        }
    }

    /// YAML, whether plain seconds are allowed, expected canonical duration or error fragment.
    static let durations: [(String, Bool, String)] = [
        ("30s", false, "30s"),
        ("1h30m", true, "1h30m"),
        ("0", false, "0s"),
        ("300", true, "5m"),
        ("1.5", true, "1s500ms"),
        ("'300'", true, "5m"),
        (
            "300", false,
            #"f.yml:1:8: expected a duration like 30s or 5m, got "300": a duration needs a unit, such as 300s"#
        ),
        (
            "5 minutes", false,
            #"f.yml:1:8: expected a duration like 30s or 5m, got "5 minutes": unknown unit " minutes""#
        ),
        ("-5", true, #"expected a duration like 30s, 5m or a number of seconds, got "-5""#),
        ("[1s]", false, "f.yml:1:8: expected a duration, got a list"),
    ]

    @Test(arguments: durations)
    func duration(yaml: String, allowingSeconds: Bool, expected: String) throws {
        let node = try value(yaml)
        do {
            #expect(try node.promDuration(allowingSeconds: allowingSeconds).description == expected)
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test func durationConvertsToSwiftDuration() throws {
        #expect(try value("1m").duration() == .seconds(60))
        #expect(try value("300").duration(allowingSeconds: true) == .seconds(300))
    }

    static let wrongShapes: [(String, String)] = [
        ("{a: 1}", "f.yml:1:8: expected a string, got a mapping"),
        ("[a]", "f.yml:1:8: expected a string, got a list"),
        ("~", "f.yml:1:8: expected a string, got nothing (null)"),
    ]

    @Test(arguments: wrongShapes)
    func stringOfWrongShape(yaml: String, expected: String) throws {
        let node = try value(yaml)
        #expect(message { try node.string() } == expected)
    }

    @Test func stringReadsAnyScalarVerbatim() throws {
        #expect(try value("2").string() == "2")
        #expect(try value("'${NOT_EXPANDED}'").string() == "${NOT_EXPANDED}")
        #expect(try value("\"multi\\nline\"").string() == "multi\nline")
    }

    static let quoting: [(String, Bool)] = [
        ("42", false), ("'42'", true), ("\"true\"", true), ("plain", false), ("|\n  block", true), ("[1]", false),
    ]

    @Test(arguments: quoting)
    func isQuoted(yaml: String, quoted: Bool) throws {
        #expect(try value(yaml).isQuoted == quoted)
    }

    @Test func mappingAndSequenceOfWrongShape() throws {
        #expect(message { try value("3").mapping() } == #"f.yml:1:8: expected a mapping of fields, got "3""#)
        #expect(message { try value("{a: 1}").sequence() } == "f.yml:1:8: expected a list, got a mapping")
        #expect(try value("").sequence().isEmpty)
        #expect(try value("").mapping().keys.isEmpty)
    }

    @Test func expandingEnvironmentFromArgumentOrDocument() throws {
        let node = try value("'Bearer ${TOKEN}'", environment: ["TOKEN": "from-document"])
        #expect(try node.string(expandingEnvironment: ["TOKEN": "from-argument"]) == "Bearer from-argument")
        #expect(try node.expandedString() == "Bearer from-document")
        #expect(try node.string() == "Bearer ${TOKEN}")
    }

    @Test func missingVariableNamesItAtTheNodeWithoutValues() throws {
        let node = try value("'${API_KEY}'", environment: ["OTHER": "s3cret"])
        #expect(
            message { try node.expandedString() }
                == "f.yml:1:8: environment variable API_KEY is not set; set it, or give a default with ${API_KEY:-default}"
        )
    }

    @Test func stringMapAndList() throws {
        #expect(try value("{team: ml, tier: '1'}").stringMap() == ["team": "ml", "tier": "1"])
        #expect(
            try value("{Authorization: 'Bearer ${T}'}").stringMap(expandingEnvironment: ["T": "x"])
                == ["Authorization": "Bearer x"])
        #expect(try value("[a, b]").stringList() == ["a", "b"])
        #expect(message { try value("{a: [1]}").stringMap() } == "f.yml:1:12: expected a string, got a list")
        #expect(message { try value("a").stringList() } == #"f.yml:1:8: expected a list, got "a""#)
    }

    @Test func schedule() throws {
        #expect(try value("'*/6 hours'").schedule().cronExpression == "0 */6 * * *")
        #expect(
            message { try value("fortnightly").schedule() }?.hasPrefix(
                #"f.yml:1:8: unrecognised schedule "fortnightly""#)
                == true)
    }

    @Test func longValuesAreShortenedInMessages() throws {
        let long = String(repeating: "x", count: 200)
        let text = try #require(message { try value(long).int() })
        #expect(text.count < 120)
        #expect(text.hasSuffix("…\""))
    }
}
