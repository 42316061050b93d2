# llmwatch in a container: built with the official Swift image, run from a small Ubuntu image
# as a non-root user. The same image runs every role: `probe`, `evaluate`, `run` (the default).
#   docker build -t llmwatch .
#   docker run --rm -p 9479:9479 llmwatch          # llmwatch run: probe + evaluator, simulated models
FROM swift:6.3-noble AS build
WORKDIR /src
# Dependencies first, so that editing sources does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product llmwatch \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/llmwatch" /out/llmwatch

FROM ubuntu:24.04
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/llmwatch --create-home llmwatch
COPY --from=build /out/llmwatch /usr/local/bin/llmwatch
COPY rules /etc/llmwatch/rules
COPY prometheus /etc/llmwatch/prometheus
COPY examples /etc/llmwatch/examples
USER 10001:10001
WORKDIR /var/lib/llmwatch
VOLUME ["/var/lib/llmwatch"]
EXPOSE 9478 9479
ENTRYPOINT ["/usr/local/bin/llmwatch"]
CMD ["run", "--web.listen-address=:9479", "--storage.path=/var/lib/llmwatch/data"]
