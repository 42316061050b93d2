import Config
import Foundation
import Series

/// One `remote_write` entry. llmwatch reads and validates it so an existing file loads; the
/// sender itself is a separate piece of work (see docs/scrape.md).
public struct RemoteWriteConfig: Sendable, Hashable {
    /// `url` of the receiver.
    public var url: String
    /// `name`, unique among remote-write entries when set.
    public var name: String
    /// `remote_timeout`; 30s by default.
    public var remoteTimeout: PromDuration
    /// `headers` sent with each request; reserved headers are refused at load.
    public var headers: [String: String]
    /// Auth, TLS and redirects (`enable_http2` is false by default here, as in Prometheus).
    public var http: HTTPClientConfig
    /// `write_relabel_configs`.
    public var writeRelabelConfigs: [RelabelConfig]
    /// `queue_config`.
    public var queue: QueueConfig
    /// `metadata_config`.
    public var metadata: MetadataConfig

    /// A remote write to `url` with Prometheus's defaults.
    public init(url: String, name: String = "") {
        self.url = url
        self.name = name
        remoteTimeout = PromDuration(milliseconds: 30_000)!
        headers = [:]
        http = HTTPClientConfig(enableHTTP2: false)
        writeRelabelConfigs = []
        queue = QueueConfig()
        metadata = MetadataConfig()
    }

    /// `queue_config`: how samples are batched and retried.
    public struct QueueConfig: Sendable, Hashable {
        /// `capacity`: samples buffered per shard.
        public var capacity = 10_000
        /// `max_shards`.
        public var maxShards = 50
        /// `min_shards`.
        public var minShards = 1
        /// `max_samples_per_send`.
        public var maxSamplesPerSend = 2000
        /// `batch_send_deadline`.
        public var batchSendDeadline = PromDuration(milliseconds: 5000)!
        /// `min_backoff`.
        public var minBackoff = PromDuration(milliseconds: 30)!
        /// `max_backoff`.
        public var maxBackoff = PromDuration(milliseconds: 5000)!
        /// `retry_on_http_429`.
        public var retryOnRateLimit = false
        /// `sample_age_limit`: older samples are dropped; 0 keeps all.
        public var sampleAgeLimit = PromDuration(milliseconds: 0)!

        /// Prometheus's defaults.
        public init() {}
    }

    /// `metadata_config`: whether and how often metric metadata is sent.
    public struct MetadataConfig: Sendable, Hashable {
        /// `send`.
        public var send = true
        /// `send_interval`.
        public var sendInterval = PromDuration(milliseconds: 60_000)!
        /// `max_samples_per_send`.
        public var maxSamplesPerSend = 2000

        /// Prometheus's defaults.
        public init() {}
    }

    /// Headers Prometheus does not let a config set.
    static let reservedHeaders: Set<String> = [
        "host", "content-encoding", "content-length", "content-type", "user-agent", "connection", "keep-alive",
        "proxy-authenticate", "proxy-authorization", "www-authenticate", "accept-encoding",
        "x-prometheus-remote-write-version", "x-prometheus-remote-read-version",
    ]

    static func decode(_ node: ConfigNode, context: DecodeContext) throws(ConfigError) -> RemoteWriteConfig {
        let mapping = try node.mapping()
        try mapping.rejectUnsupported([
            "sigv4": "AWS SigV4 request signing is not implemented",
            "azuread": "Azure AD authentication is not implemented",
            "google_iam": "Google IAM authentication is not implemented",
            "protobuf_message": "only remote write 1.0 is modelled",
            "round_robin_dns": "round-robin DNS is not implemented",
        ])
        let urlNode = mapping.optional("url")
        guard let urlNode else { throw node.error("url for remote_write is empty") }
        let url = try urlNode.string()
        guard let parsed = URL(string: url), parsed.scheme != nil else {
            throw urlNode.error("remote_write url \(Labels.quote(url)) is not a valid URL")
        }
        var config = RemoteWriteConfig(url: url, name: try mapping.string("name") ?? "")
        config.remoteTimeout = try mapping.duration("remote_timeout") ?? config.remoteTimeout
        if let headersNode = mapping.optional("headers") {
            for entry in try headersNode.mapping().entries {
                let lowered = entry.key.lowercased()
                if lowered == "authorization" {
                    throw entry.keyNode.error(
                        "authorization header must be changed via the basic_auth or authorization parameter")
                }
                if reservedHeaders.contains(lowered) {
                    throw entry.keyNode.error("\(entry.key) is a reserved header. It must not be changed")
                }
                config.headers[entry.key] = try entry.value.string()
            }
        }
        config.http = try HTTPClientConfig.decode(mapping, context: context, enableHTTP2Default: false)
        config.writeRelabelConfigs = try RelabelConfig.decodeList(
            mapping.optional("write_relabel_configs"), nullMessage: "empty or null relabeling rule in remote write config")
        if let queueNode = mapping.optional("queue_config") {
            config.queue = try decodeQueue(queueNode)
        }
        if let metadataNode = mapping.optional("metadata_config") {
            let fields = try metadataNode.mapping()
            config.metadata.send = try fields.bool("send", default: config.metadata.send)
            config.metadata.sendInterval = try fields.duration("send_interval") ?? config.metadata.sendInterval
            if fields.optional("max_samples_per_send") != nil {
                config.metadata.maxSamplesPerSend = try fields.unsigned("max_samples_per_send")
            }
            try fields.rejectUnknownKeys()
        }
        for key in ["send_exemplars", "send_native_histograms"] {
            if try mapping.bool(key, default: false) {
                throw mapping.position(key).error(
                    "\(key): true is not supported by llmwatch: exemplars and native histograms are not stored")
            }
        }
        try mapping.rejectUnknownKeys()
        return config
    }

    private static func decodeQueue(_ node: ConfigNode) throws(ConfigError) -> QueueConfig {
        let fields = try node.mapping()
        var queue = QueueConfig()
        func integer(_ key: String, _ fallback: Int) throws(ConfigError) -> Int {
            fields.optional(key) == nil ? fallback : try fields.unsigned(key)
        }
        queue.capacity = try integer("capacity", queue.capacity)
        queue.maxShards = try integer("max_shards", queue.maxShards)
        queue.minShards = try integer("min_shards", queue.minShards)
        queue.maxSamplesPerSend = try integer("max_samples_per_send", queue.maxSamplesPerSend)
        queue.batchSendDeadline = try fields.duration("batch_send_deadline") ?? queue.batchSendDeadline
        queue.minBackoff = try fields.duration("min_backoff") ?? queue.minBackoff
        queue.maxBackoff = try fields.duration("max_backoff") ?? queue.maxBackoff
        queue.retryOnRateLimit = try fields.bool("retry_on_http_429", default: false)
        queue.sampleAgeLimit = try fields.duration("sample_age_limit") ?? queue.sampleAgeLimit
        try fields.rejectUnknownKeys()
        return queue
    }
}
