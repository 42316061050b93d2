import Foundation
import Testing

@testable import RemoteWrite

/// Snappy blocks: what we compress decompresses to the same bytes, and repeats compress.
struct SnappyTests {
    static func pseudoRandom(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    @Test(arguments: [0, 1, 3, 4, 5, 59, 60, 61, 64, 65, 255, 256, 257, 65_535, 65_536, 70_000, 300_000])
    func roundTripsWhatever(size: Int) throws {
        for input in [Self.pseudoRandom(size, seed: UInt64(size)), [UInt8](repeating: 7, count: size)] {
            #expect(try Snappy.decompress(Snappy.compress(input)) == input)
        }
    }

    @Test func repetitiveInputCompresses() throws {
        let line = Array("llm_request_total{model=\"gpt-4o\",provider=\"openai\",operation=\"probe\"} 1\n".utf8)
        let input = Array((0..<1000).map { _ in line }.joined())
        let compressed = Snappy.compress(input)
        #expect(compressed.count < input.count / 10, "\(compressed.count) of \(input.count) bytes")
        #expect(try Snappy.decompress(compressed) == input)
    }

    @Test func corruptBlocksAreErrorsNotCrashes() {
        for bad: [UInt8] in [[], [0x80], [5, 0x0C], [4, 0x01, 0x05], [3, 0x08, 1, 2, 3, 4, 5]] {
            #expect(throws: Snappy.Corrupt.self) { try Snappy.decompress(bad) }
        }
    }
}
