"""Benchmark: the gateway's memory while clients send huge request heads (issue 13: 8 x 50 MB
heads took the process from 93 MB to 597 MB).

``--clients`` connections at once each send a request head with one ``--mb`` MB header, as fast
as the gateway reads it; printed per gateway: the answers, how many bytes it took in before it
refused, and the peak resident memory (VmHWM of the process and its scan workers) before and
after. Gateways: this tree on uvicorn and on granian, and the code before issue 13's changes (the
commit before ``collector/wal.py`` came, unpacked with ``git archive``) on uvicorn.
    .venv/bin/python bench/gateway_heads.py [--clients 8] [--mb 50]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from common import private_broker
from gateway_targets import start_douane, start_upstream, stop, unpack, wal_commit


def send_head(port: int, size: int, seen: list[tuple[int, bytes]]) -> None:
    """One client: a head with a ``size``-byte header; records (bytes sent, status line)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        try:
            sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nx-junk: ")
            chunk = b"a" * (1 << 20)
            while sent < size:
                sock.sendall(chunk)
                sent += len(chunk)
            sock.sendall(b"\r\n\r\n")
        except OSError:
            pass  # refused part-way: the answer may still be there
        try:
            answer = sock.recv(4096).split(b"\r\n")[0]
        except OSError as exc:
            answer = type(exc).__name__.encode()
    seen.append((sent, answer or b"(closed)"))


def peak_mb(pid: int) -> int:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    total = 0
    for each in [pid, *map(int, children)]:
        status = Path(f"/proc/{each}/status").read_text()
        total += int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])
    return total // 1024


def measure(name: str, proc: subprocess.Popen, url: str, clients: int, size: int) -> None:
    port = urlsplit(url).port
    before = peak_mb(proc.pid)
    seen: list[tuple[int, bytes]] = []
    started = time.perf_counter()
    threads = [threading.Thread(target=send_head, args=(port, size, seen)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    answers = Counter(answer.decode(errors="replace")[:40] for _sent, answer in seen)
    taken = max(sent for sent, _answer in seen) / 1e6
    print(f"  {name:<22} peak memory {before} MB -> {peak_mb(proc.pid)} MB; {took:5.1f} s; "
          f"up to {taken:.1f} MB sent per client; answers {dict(answers)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    procs: list[subprocess.Popen] = []
    with private_broker() as (bootstrap, _home), tempfile.TemporaryDirectory() as tmp:
        try:
            upstream_proc, upstream = start_upstream()
            procs.append(upstream_proc)
            before = unpack(f"{wal_commit()}^", Path(tmp))
            gateways = {"douane (uvicorn)": start_douane(upstream, bootstrap, Path(tmp), "uvicorn"),
                        "douane (granian)": start_douane(upstream, bootstrap, Path(tmp), "granian"),
                        "before issue 13": start_douane(upstream, bootstrap, Path(tmp), "uvicorn", code=before,
                                                        name="before")}
            procs += [proc for proc, _url in gateways.values()]
            print(f"{args.clients} clients at once, each a {args.mb} MB request head:")
            for name, (proc, url) in gateways.items():
                measure(name, proc, url, args.clients, args.mb * 1_000_000)
        finally:
            stop(procs)


if __name__ == "__main__":
    main()
