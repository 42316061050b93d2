import Foundation
import Series

/// An expectation about the annotations (`expect warn`, `expect no_info`...) of an eval.
struct AnnotationExpectation {
    enum Kind: String {
        case warn, info
        case noWarn = "no_warn"
        case noInfo = "no_info"
        case fail, ordered
    }

    var kind: Kind
    /// The exact message expected, if given with `msg:`.
    var message: String?
    /// The pattern expected, if given with `regex:`.
    var pattern: String?

    func matches(_ text: String) -> Bool {
        if let message { return message == text }
        if let pattern {
            return text.range(of: pattern, options: .regularExpression) != nil
        }
        return true
    }
}

/// One `eval` command of a promqltest file with everything it expects.
struct EvalCommand {
    var expr: String
    var line: Int
    var isRange: Bool
    var start: Int64
    var end: Int64 = 0
    var step: Int64 = 0
    var fail = false
    var warn = false
    var info = false
    var ordered = false
    var expectedFailMessage: String?
    var expectedFailRegexp: String?
    var expectations: [AnnotationExpectation] = []
    /// Expected series, in the order written, with their values.
    var expected: [(labels: Labels, values: [SequenceValue])] = []
    var expectedScalar: Double?
    var expectedString: String?
    var excludeFromRangeQuery = false

    var isOrdered: Bool { ordered || expectations.contains { $0.kind == .ordered } }
    var isFail: Bool { fail || expectations.contains { $0.kind == .fail } }
}

/// The commands of a promqltest file.
enum TestCommand {
    case load(step: Int64, series: [(Labels, [SequenceValue])])
    case clear
    case eval(EvalCommand)
}

/// Parses the promqltest file format of Prometheus v3.5.
enum TestScript {
    static func parse(_ text: String) throws -> [TestCommand] {
        let lines = text.components(separatedBy: "\n").map { raw -> String in
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("#") ? "" : trimmed
        }
        var commands: [TestCommand] = []
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if line.isEmpty {
                i += 1
                continue
            }
            let word = line.prefix { !$0.isWhitespace }.lowercased()
            if word == "clear" {
                commands.append(.clear)
                i += 1
            } else if word.hasPrefix("load") {
                let parts = line.split(whereSeparator: \.isWhitespace)
                guard parts.count >= 2 else { throw TestScriptError("line \(i + 1): invalid load command") }
                let step = try SeriesNotation.duration(String(parts[1]))
                var series: [(Labels, [SequenceValue])] = []
                i += 1
                while i < lines.count && !lines[i].isEmpty {
                    do {
                        series.append(try SeriesNotation.parse(lines[i]))
                    } catch {
                        throw TestScriptError("line \(i + 1): \(error)")
                    }
                    i += 1
                }
                commands.append(.load(step: step, series: series))
            } else if word.hasPrefix("eval") {
                var command = try parseEvalLine(line, number: i + 1)
                i += 1
                while i < lines.count && !lines[i].isEmpty {
                    try parseEvalBody(lines[i], into: &command, number: i + 1)
                    i += 1
                }
                commands.append(.eval(command))
            } else {
                throw TestScriptError("line \(i + 1): invalid command \"\(line)\"")
            }
        }
        return commands
    }

    private static func parseEvalLine(_ line: String, number: Int) throws -> EvalCommand {
        let parts = line.split(maxSplits: 1, whereSeparator: \.isWhitespace).map(String.init)
        let head = parts[0].lowercased()
        let modifier = head.hasPrefix("eval_") ? String(head.dropFirst(5)) : ""
        guard parts.count == 2 else {
            throw TestScriptError("line \(number): invalid evaluation command")
        }
        var rest = Substring(parts[1]).drop { $0.isWhitespace }
        var command: EvalCommand
        if rest.hasPrefix("instant") {
            rest = rest.dropFirst("instant".count).drop { $0.isWhitespace }
            var time: Int64 = 0
            if rest.hasPrefix("at ") {
                rest = rest.dropFirst(3).drop { $0.isWhitespace }
                let token = rest.prefix { !$0.isWhitespace }
                time = try SeriesNotation.duration(String(token))
                rest = rest.dropFirst(token.count).drop { $0.isWhitespace }
            }
            command = EvalCommand(expr: String(rest), line: number, isRange: false, start: time)
        } else if rest.hasPrefix("range") {
            let words = rest.split(maxSplits: 7, whereSeparator: \.isWhitespace).map(String.init)
            guard words.count == 8, words[1] == "from", words[3] == "to", words[5] == "step" else {
                throw TestScriptError("line \(number): invalid range evaluation command")
            }
            command = EvalCommand(
                expr: words[7], line: number, isRange: true, start: try SeriesNotation.duration(words[2]))
            command.end = try SeriesNotation.duration(words[4])
            command.step = try SeriesNotation.duration(words[6])
        } else {
            throw TestScriptError("line \(number): invalid evaluation command")
        }
        switch modifier {
        case "fail": command.fail = true
        case "warn": command.warn = true
        case "info": command.info = true
        case "ordered": command.ordered = true
        default: break
        }
        return command
    }

    private static func parseEvalBody(_ line: String, into command: inout EvalCommand, number: Int)
        throws
    {
        if command.isFail && line.hasPrefix("expected_fail_message") {
            command.expectedFailMessage = line.dropFirst("expected_fail_message".count)
                .trimmingCharacters(
                    in: .whitespaces)
            return
        }
        if command.isFail && line.hasPrefix("expected_fail_regexp") {
            command.expectedFailRegexp = line.dropFirst("expected_fail_regexp".count).trimmingCharacters(
                in: .whitespaces)
            return
        }
        if line.hasPrefix("expect range vector") {
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.count == 9 else {
                throw TestScriptError("line \(number): invalid range vector definition")
            }
            command.start = try SeriesNotation.duration(words[4])
            command.end = try SeriesNotation.duration(words[6])
            command.step = try SeriesNotation.duration(words[8])
            command.excludeFromRangeQuery = true
            return
        }
        if line.hasPrefix("expect string") {
            let literal = line.dropFirst("expect string".count).trimmingCharacters(in: .whitespaces)
            command.expectedString = unquote(literal)
            command.excludeFromRangeQuery = true
            return
        }
        if line.split(separator: " ").first == "expect" {
            command.expectations.append(try parseExpect(line, number: number))
            return
        }
        if let value = SeriesNotation.number(line, allowHex: true) {
            command.expectedScalar = value
            return
        }
        let (labels, values) = try SeriesNotation.parse(line)
        if values.count > 1 && !command.isRange && command.step == 0 {
            throw TestScriptError(
                "line \(number): expecting multiple values in instant evaluation not allowed")
        }
        command.expected.append((labels, values))
    }

    private static func parseExpect(_ line: String, number: Int) throws -> AnnotationExpectation {
        let body = line.dropFirst("expect".count).trimmingCharacters(in: .whitespaces)
        let kindText = body.prefix { !$0.isWhitespace }
        guard let kind = AnnotationExpectation.Kind(rawValue: String(kindText)) else {
            throw TestScriptError("line \(number): invalid expected error/annotation type \(kindText)")
        }
        var expectation = AnnotationExpectation(kind: kind)
        let rest = body.dropFirst(kindText.count).trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("msg:") {
            expectation.message = rest.dropFirst(4).trimmingCharacters(in: .whitespaces)
        } else if rest.hasPrefix("regex:") {
            expectation.pattern = rest.dropFirst(6).trimmingCharacters(in: .whitespaces)
        } else if !rest.isEmpty {
            throw TestScriptError("line \(number): invalid token \(rest) after \(kindText)")
        }
        return expectation
    }

    /// Removes Go-style double quotes and the common escapes.
    static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
        var out = ""
        var escaped = false
        for c in text.dropFirst().dropLast() {
            if escaped {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}
