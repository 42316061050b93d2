#!/usr/bin/env python3
"""A webhook receiver for the demo stack: prints every POSTed body (Alertmanager's webhook
payload, or llmwatch's own) as one JSON line on standard output, and lists what it received at
GET /received. Standard library only.

Usage: webhook-sink.py [--listen HOST:PORT]   (default 0.0.0.0:8080 in the container)
"""
import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {"unparsed": body.decode("utf-8", "replace")}
        entry = {"path": self.path, "body": payload}
        with lock:
            received.append(entry)
        print(json.dumps(entry, sort_keys=True), flush=True)
        self.send_response(200)
        self.end_headers()

    def do_GET(self):
        if self.path.rstrip("/") not in ("/received", "/-/healthy"):
            self.send_response(404)
            self.end_headers()
            return
        with lock:
            data = json.dumps(received if self.path.startswith("/received") else "ok").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="0.0.0.0:8080", help="HOST:PORT to listen on")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    server = ThreadingHTTPServer((host or "0.0.0.0", int(port)), Handler)
    print(f"webhook sink listening on {host or '0.0.0.0'}:{server.server_port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
