"""Replays a captured OpenAI-compatible SSE stream with injected delays, for the probe benchmarks.

GET or POST any path; a path starting /delay/FIRST_MS/GAP_MS/ holds the first event back
FIRST_MS milliseconds and spaces the others GAP_MS apart. Headers go out at once, so the delay is all in the body.
Usage: python3 replay_server.py PORT FIXTURE.sse   (prints "ready" when listening on 127.0.0.1)
"""
import http.server
import sys
import time
import urllib.parse

PORT = int(sys.argv[1])
EVENTS = [e + b"\n\n" for e in open(sys.argv[2], "rb").read().split(b"\n\n") if e.strip()]


class Replay(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Each write goes out at once, as from the servers models stream from (asyncio, under vLLM
    # and LiteLLM, and Go, under Ollama, set TCP_NODELAY on every connection). With Nagle's
    # algorithm on, the client's delayed ACK held all but the first event of an undelayed
    # response back 40 ms.
    disable_nagle_algorithm = True

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        parts = urllib.parse.urlparse(self.path).path.split("/")
        first = gap = 0.0
        if len(parts) > 3 and parts[1] == "delay":
            first, gap = float(parts[2]) / 1000, float(parts[3]) / 1000
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        for index, event in enumerate(EVENTS):
            if index == 0 and first:
                time.sleep(first)
            elif index > 0 and gap:
                time.sleep(gap)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    do_GET = _serve
    do_POST = _serve

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Replay)
print("ready", flush=True)
server.serve_forever()
