import Foundation
import Testing

@testable import TSDB

/// Chunks written by Prometheus itself decode, and re-encoding their samples gives the same bytes.
struct PrometheusChunkTests {
    struct Fixture: Sendable, CustomTestStringConvertible {
        let padded: Bool
        let bytes: [UInt8]
        var testDescription: String { "\(bytes.count) bytes\(padded ? ", padded" : "")" }
    }

    static let fixtures: [Fixture] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/prometheus-xor-chunks.txt")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let parts = line.split(separator: " ")
            let hex = Array(parts[1].utf8)
            let bytes = stride(from: 0, to: hex.count, by: 2).map {
                UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)!
            }
            return Fixture(padded: parts[0] == "padded", bytes: bytes)
        }
    }()

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count == 4)
    }

    @Test(arguments: fixtures)
    func reencodesIdentically(_ fixture: Fixture) {
        var iterator = XORIterator(bytes: fixture.bytes)
        var chunk = XORChunk()
        var previous: Int64 = .min
        while let sample = iterator.next() {
            #expect(sample.timestamp > previous)
            previous = sample.timestamp
            chunk.append(timestamp: sample.timestamp, value: sample.value)
        }
        #expect(!iterator.isMalformed)
        #expect(chunk.count == 120)
        #expect(chunk.bytes + (fixture.padded ? [0] : []) == fixture.bytes)
    }

    /// Behind the encoding byte 1 (how format 1 checkpoints' chunks are held), the store's reader
    /// decodes Prometheus's bytes to the same samples.
    @Test(arguments: fixtures)
    func decodeBehindTheEncodingByte(_ fixture: Fixture) {
        var xor = XORIterator(bytes: fixture.bytes)
        var chunk = ChunkIterator(bytes: [ChunkEncoding.prometheusXOR.rawValue] + fixture.bytes)
        #expect(chunk.count == xor.count)
        while let expected = xor.next() {
            let sample = chunk.next()
            #expect(sample?.timestamp == expected.timestamp)
            #expect(sample?.value.bitPattern == expected.value.bitPattern)
        }
        #expect(chunk.next() == nil)
        #expect(!chunk.isMalformed)
    }
}
