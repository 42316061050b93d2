import Series

/// Writes every commit to the store and hands a copy to each remote-write queue (Prometheus's
/// fanout storage): the store's verdict is the one returned; the queues never refuse.
struct TeeAppender: SampleAppender {
    let primary: any SampleAppender
    let copies: [any SampleAppender]

    func append(_ samples: [LabeledSample]) throws -> AppendSummary {
        let summary = try primary.append(samples)
        for copy in copies { _ = try? copy.append(samples) }
        return summary
    }
}
