import Foundation
import Testing

@testable import Config

@Suite struct ConfigLoaderTests {
    private func parse(_ yaml: String) throws(ConfigError) -> ConfigNode {
        try ConfigLoader.parse(yaml, file: "probe.yml", environment: [:])
    }

    private func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try parse(yaml)
            return nil
        } catch {
            return error
        }
    }

    @Test func nodesKeepPositionsAndPaths() throws {
        let yaml = """
            global:
              interval: 30s
            models:
              - name: gpt
                provider: openai
              - name: claude
                labels: {team: ml}
            """
        let root = try parse(yaml)
        #expect((root.line, root.column, root.path, root.file) == (1, 1, "", "probe.yml"))
        let models = try root.mapping().required("models").sequence()
        #expect(models.count == 2)
        let provider = try models[0].mapping().required("provider")
        #expect((provider.line, provider.column) == (5, 15))
        #expect(provider.path == "models[0].provider")
        let team = try models[1].mapping().required("labels").mapping().required("team")
        #expect((team.line, team.column, team.path) == (7, 20, "models[1].labels.team"))
        let interval = try root.mapping().required("global").mapping().required("interval")
        #expect((interval.line, interval.column) == (2, 13))
    }

    /// YAML, expected line:column, a fragment of the message.
    static let syntaxErrors: [(String, String, String)] = [
        ("a: b: c", "1:5", "mapping values are not allowed"),
        ("models:\n  - name: x\n   provider: y", "3:4", "did not find expected '-' indicator"),
        ("key: [unclosed", "2:1", "invalid YAML"),
        ("a: 1\n\tb: 2", "2:1", "tabs for indentation"),
        ("a: 1\n---\nb: 2", "2:1", "single document"),
        ("a: *nothing", "1:4", "invalid YAML"),
    ]

    @Test(arguments: syntaxErrors)
    func syntaxErrorsPointAtTheProblem(yaml: String, position: String, fragment: String) throws {
        let failure = try #require(error(yaml))
        #expect("\(failure.line):\(failure.column)" == position, "\(failure)")
        #expect(failure.message.contains(fragment), "\(failure)")
        #expect(failure.description.hasPrefix("probe.yml:\(position): invalid YAML"))
    }

    @Test func duplicateKeysAreRejectedAtTheSecond() throws {
        let failure = try #require(error("name: a\ntimeout: 5s\nname: b"))
        #expect(failure.description == #"probe.yml:3:1: duplicate key "name" (first defined at line 1)"#)
    }

    @Test func nonScalarKeysAreRejected() throws {
        let failure = try #require(error("? [a, b]\n: value"))
        #expect(failure.message.contains("mapping keys must be plain strings"))
    }

    @Test func mergeKeysApplyWithLocalKeysWinning() throws {
        let yaml = """
            defaults: &defaults
              timeout: 30s
              interval: 1m
            model:
              <<: *defaults
              interval: 5m
            """
        let model = try parse(yaml).mapping().required("model").mapping()
        #expect(model.keys == ["interval", "timeout"])
        #expect(try model.required("interval").string() == "5m")
        #expect(try model.required("timeout").string() == "30s")
        #expect(try model.required("timeout").path == "model.timeout")
    }

    @Test func mergeOfAListTakesEarlierMappingsFirst() throws {
        let yaml = """
            a: &a {x: 1, y: 1}
            b: &b {y: 2, z: 2}
            c:
              <<: [*a, *b]
            """
        let c = try parse(yaml).mapping().required("c").stringMap()
        #expect(c == ["x": "1", "y": "1", "z": "2"])
    }

    @Test func mergeOfAScalarIsAnError() throws {
        let failure = try #require(error("a:\n  <<: 3"))
        #expect(failure.message.contains("merge key"))
    }

    @Test func aliasExpansionIsBounded() throws {
        var yaml = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let aliases = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "l\(level): &l\(level) [\(aliases)]\n"
        }
        let failure = try #require(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml, file: "bomb.yml", environment: [:], nodeBudget: 10_000)
        }
        #expect(failure.message == "document expands to more than 10000 nodes through aliases")
        let within = try ConfigLoader.parse("a: &a [1, 2]\nb: *a\n", file: "ok.yml", environment: [:], nodeBudget: 10)
        #expect(try within.mapping().required("b").stringList() == ["1", "2"])
    }

    static let nulls: [(String, Bool)] = [
        ("v:", true), ("v: ~", true), ("v: null", true), ("v: NULL", true), ("v: !!null ''", true),
        ("v: 'null'", false), ("v: \"\"", false), ("v: !!str null", false), ("v: nil", false),
    ]

    @Test(arguments: nulls)
    func recognisesNull(yaml: String, isNull: Bool) throws {
        let root = try parse(yaml).mapping()
        let value = root.entries.first!.value
        #expect(value.isNull == isNull)
    }

    @Test func emptyDocumentIsAnEmptyMapping() throws {
        for yaml in ["", "# only a comment\n", "---\n"] {
            let root = try parse(yaml)
            #expect(root.isNull)
            #expect(try root.mapping().keys.isEmpty)
        }
    }

    @Test func loadsFilesAndNamesThemInErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("probe.yml").path
        try "interval: 5 minutes\n".write(toFile: path, atomically: true, encoding: .utf8)

        let root = try ConfigLoader.load(path: path)
        let failure = try #require(throws: ConfigError.self) {
            try root.mapping().required("interval").duration()
        }
        #expect(failure.description.hasPrefix("\(path):1:11: expected a duration like 30s or 5m, got \"5 minutes\""))
    }

    @Test func missingFileIsAnErrorNamingIt() throws {
        let failure = try #require(throws: ConfigError.self) {
            try ConfigLoader.load(path: "/nonexistent/probe.yml")
        }
        #expect(failure.file == "/nonexistent/probe.yml")
        #expect(failure.line == 0)
        #expect(failure.description.hasPrefix("/nonexistent/probe.yml: cannot read file"))
    }

    @Test func directoryIsAnError() throws {
        let directory = FileManager.default.temporaryDirectory.path
        let failure = try #require(throws: ConfigError.self) { try ConfigLoader.load(path: directory) }
        #expect(failure.description == "\(directory): is a directory; give the path of a YAML file")
    }

    @Test func invalidUTF8IsAnError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID()).yml").path
        try Data([0x61, 0x3A, 0x20, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let failure = try #require(throws: ConfigError.self) { try ConfigLoader.load(path: path) }
        #expect(failure.message == "file is not valid UTF-8")
    }
}
