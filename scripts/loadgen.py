"""The load generator of bench_http.py (not a bench script itself), run as a
process of its own so that its CPU is counted apart from the servers':

    python scripts/loadgen.py PORT PATH --cookie 'sessionid=…' --clients 4 --seconds 8

``--clients`` threads with http.client each send GET requests for
``--seconds`` after a 2-second warm-up (bounded: at most ``--max`` requests
per client), every response read in full and checked for 200. Prints one JSON
object: requests, elapsed seconds, the latencies in ms and the CPU seconds
this process used during the timed part (user + system)."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("path")
    p.add_argument("--cookie", default="")
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--warmup", type=float, default=2.0)
    p.add_argument("--max", type=int, default=5000)
    args = p.parse_args()
    headers = {"Cookie": args.cookie, "Host": "127.0.0.1"}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(stop_at: float, limit: int, keep: bool) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        mine = []
        for _ in range(limit):
            if time.perf_counter() >= stop_at or errors:
                break
            t = time.perf_counter()
            conn.request("GET", args.path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{args.path}: HTTP {response.status}")
                break
            mine.append((time.perf_counter() - t) * 1000)
        conn.close()
        if keep:
            with lock:
                latencies.extend(mine)

    def run(duration: float, limit: int, keep: bool) -> float:
        stop_at = time.perf_counter() + duration
        threads = [threading.Thread(target=client, args=(stop_at, limit, keep)) for _ in range(args.clients)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return time.perf_counter() - t0

    run(args.warmup, 50, keep=False)  # connections, worker caches
    cpu0 = sum(os.times()[:2])
    elapsed = run(args.seconds, args.max, keep=True)
    cpu = sum(os.times()[:2]) - cpu0
    json.dump({"requests": len(latencies), "elapsed": elapsed, "latencies": latencies, "cpu": cpu,
               "errors": errors[:3]}, sys.stdout)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
