"""Replays a captured OpenAI-compatible SSE stream with injected delays, for the probe benchmarks.

GET or POST any path; a path starting /delay/FIRST_MS/GAP_MS/ holds the first event back
FIRST_MS milliseconds and spaces the others GAP_MS apart. Headers go out at once, so the delay is all in the body.
For each such request the server notes when it actually wrote every event; GET /timelines returns
those notes, one JSON object per line in the order served (and forgets them):
{"path": ..., "writes_ms": [...]}, when each write began, in milliseconds after the request line
arrived.
Usage: python3 replay_server.py PORT FIXTURE.sse   (prints "ready" when listening on 127.0.0.1)
"""
import http.server
import json
import sys
import threading
import time
import urllib.parse

PORT = int(sys.argv[1])
EVENTS = [e + b"\n\n" for e in open(sys.argv[2], "rb").read().split(b"\n\n") if e.strip()]
TIMELINES = []
# Guards TIMELINES and IN_FLIGHT, the delayed responses still being written: /timelines waits
# for them, as a client may ask as soon as it has read a stream's last event.
TIMELINES_CHANGED = threading.Condition()
IN_FLIGHT = 0


class Replay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Each write goes out at once, as from the servers models stream from (asyncio, under vLLM
    # and LiteLLM, and Go, under Ollama, set TCP_NODELAY on every connection). With Nagle's
    # algorithm on, the client's delayed ACK held all but the first event of an undelayed
    # response back 40 ms.
    disable_nagle_algorithm = True

    def parse_request(self):
        # The request line has just been read: the closest this server gets to its arrival.
        # Parsing the headers (the email package, a good fraction of a millisecond) comes after.
        self.arrived = time.monotonic_ns()
        return super().parse_request()

    def _serve(self):
        global IN_FLIGHT
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = urllib.parse.urlparse(self.path).path
        if path == "/timelines":
            return self._send_timelines()
        parts = path.split("/")
        first = gap = 0.0
        delayed = len(parts) > 3 and parts[1] == "delay"
        if delayed:
            first, gap = float(parts[2]) / 1000, float(parts[3]) / 1000
            with TIMELINES_CHANGED:
                IN_FLIGHT += 1
        try:
            self._stream(first, gap, path if delayed else None)
        finally:
            if delayed:
                with TIMELINES_CHANGED:
                    IN_FLIGHT -= 1
                    TIMELINES_CHANGED.notify_all()

    def _stream(self, first, gap, noted_path):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        writes = []
        for index, event in enumerate(EVENTS):
            if index == 0 and first:
                time.sleep(first)
            elif index > 0 and gap:
                time.sleep(gap)
            writes.append((time.monotonic_ns() - self.arrived) / 1e6)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        if noted_path:
            with TIMELINES_CHANGED:
                TIMELINES.append({"path": noted_path, "writes_ms": writes})

    def _send_timelines(self):
        with TIMELINES_CHANGED:
            TIMELINES_CHANGED.wait_for(lambda: IN_FLIGHT == 0, timeout=10)
            body = "".join(json.dumps(timeline) + "\n" for timeline in TIMELINES).encode()
            TIMELINES.clear()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _serve
    do_POST = _serve

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Replay)
print("ready", flush=True)
server.serve_forever()
