"""The least a client can do with the replay server's stream: send the request, recv until the
chunked body's end, nothing else. Its CPU per request is the machine's own cost of delivering
the stream (wake-ups, reads), the scale for ProbeOverhead's figures.

Usage: python3 recv_client.py PORT PATH REQUESTS   (a replay_server.py listening on 127.0.0.1:PORT)
e.g.   python3 replay_server.py 18999 llama-server-stream.sse &
       python3 recv_client.py 18999 /delay/150/20/v1/chat/completions 5
"""
import resource
import socket
import sys
import time

port, path, requests = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
connection = socket.create_connection(("127.0.0.1", port))
connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def request():
    """One request on the keep-alive connection; returns how many reads its response took."""
    connection.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".encode())
    received, reads = b"", 0
    while not received.endswith(b"0\r\n\r\n"):
        data = connection.recv(65536)
        if not data:
            raise SystemExit("connection closed before the response ended")
        received += data
        reads += 1
    return reads


request()
before, started, reads = resource.getrusage(resource.RUSAGE_SELF), time.monotonic(), 0
for _ in range(requests):
    reads += request()
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / requests
print(f"{path}: CPU per request {cpu * 1000:.3f} ms, {reads / requests:.1f} reads per request, "
      f"wall {(time.monotonic() - started) / requests * 1000:.1f} ms")
