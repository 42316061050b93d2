import Testing

@testable import Config

@Suite struct ConfigMappingTests {
    private let yaml = """
        models:
          - name: gpt
            provder: openai
            timeout:
        """

    private func model() throws -> ConfigMapping {
        try ConfigLoader.parse(yaml, file: "probe.yml", environment: [:]).mapping().required("models")
            .sequence()[0].mapping()
    }

    private func description(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func requiredAndOptional() throws {
        let model = try model()
        #expect(try model.required("name").string() == "gpt")
        #expect(model.optional("name") != nil)
        #expect(model.optional("timeout") == nil, "a key without a value reads as absent")
        #expect(model.optional("labels") == nil)
        #expect(model.keys == ["name", "provder", "timeout"])
    }

    @Test func missingRequiredFieldPointsAtTheMapping() throws {
        let model = try model()
        #expect(
            description { _ = try model.required("provider") }
                == #"probe.yml:2:5: missing required field "provider" in models[0]"#)
        #expect(
            description { _ = try model.required("timeout") }
                == #"probe.yml:4:5: field "timeout" in models[0] must have a value"#)
    }

    @Test func unknownKeyFromReadKeysWithSuggestion() throws {
        let model = try model()
        _ = model.optional("provider")
        _ = model.optional("name")
        _ = model.optional("timeout")
        #expect(
            description { try model.rejectUnknownKeys() }
                == #"probe.yml:3:5: unknown field "provder" in models[0]; did you mean "provider"?"#)
    }

    @Test func unknownKeyFromAllowedListWithContext() throws {
        let model = try model()
        #expect(
            description { try model.rejectUnknownKeys(allowed: ["name", "provider", "timeout"], in: "model") }
                == #"probe.yml:3:5: unknown field "provder" in model; did you mean "provider"?"#)
    }

    @Test func unknownKeyWithoutPlausibleSuggestion() throws {
        let root = try ConfigLoader.parse("schedule: 5m\n", file: "p.yml", environment: [:]).mapping()
        #expect(
            description { try root.rejectUnknownKeys(allowed: ["models", "global"]) }
                == #"p.yml:1:1: unknown field "schedule" at top level"#)
    }

    @Test func copiesShareWhatWasRead() throws {
        let model = try model()
        let copy = model
        _ = copy.optional("provder")
        _ = copy.optional("name")
        _ = copy.optional("timeout")
        #expect(description { try model.rejectUnknownKeys() } == nil)
    }
}
