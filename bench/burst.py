"""Burst benchmark: how fast a real ``gateway serve`` takes N distinct alerts.

Starts the gateway (waitress, real port) on SQLite or PostgreSQL, fires N
distinct TradingView-style alerts from C client threads over keep-alive
connections, and prints the wall time, the rate and the slowest answer.
Also measures a bare Flask app on waitress that only answers 200, as the
reference the architecture compares against.

    .venv/bin/python bench/burst.py --alerts 1000 --clients 32
    .venv/bin/python bench/burst.py --database postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BARE_APP = """
from flask import Flask
import waitress
app = Flask("bare")
@app.post("/alarms/webhook")
def hook():
    return {{"id": "x"}}
waitress.serve(app, host="127.0.0.1", port={port}, threads={threads}, _quiet=True)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listening on {port}")


def fire(port: int, alerts: int, clients: int) -> tuple[float, list[float], int]:
    numbers = iter(range(alerts))
    lock = threading.Lock()
    latencies: list[float] = []
    failures = 0
    start_gate = threading.Barrier(clients + 1)

    def client() -> None:
        nonlocal failures
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start_gate.wait()
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                break
            body = (
                f'{{"ticker":"T{number}","exchange":"BINANCE","interval":"15",'
                f'"close":{64000 + number}.5,"action":"buy","n":{number}}}'
            )
            started = time.perf_counter()
            connection.request(
                "POST", "/alarms/webhook", body, {"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status not in (200, 202):
                    failures += 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, failures


def report(name: str, alerts: int, wall: float, latencies: list[float], failures: int) -> None:
    ordered = sorted(latencies)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(
        f"{name:<28} {alerts} alerts in {wall:.2f} s = {alerts / wall:7.0f}/s  "
        f"median {statistics.median(ordered) * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms  "
        f"max {ordered[-1] * 1000:.1f} ms  failures {failures}"
    )


def run(command: list[str], port: int, args: argparse.Namespace, name: str, cwd: Path) -> None:
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        fire(port, 50, 4)  # warm up connections, caches and the schema
        wall, latencies, failures = fire(port, args.alerts, args.clients)
        report(name, args.alerts, wall, latencies, failures)
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite in a temp folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        port = free_port()
        (base / "bare.py").write_text(BARE_APP.format(port=port, threads=args.threads))
        run([sys.executable, "bare.py"], port, args, "bare Flask on waitress", base)

        port = free_port()
        url = args.database or f"sqlite:///{base / 'bench.db'}"
        (base / "gateway.ini").write_text(
            "[gateway]\nplugins = tradingview, sql\n"
            f"port = {port}\nthreads = {args.threads}\n"
            "[logging]\nconsole = false\nfile = logs/gateway.log\n"
            f"[plugin:sql]\nurl = {url}\n"
        )
        env_name = "PostgreSQL" if args.database else "SQLite"
        run(
            [sys.executable, "-m", "gateway.cli", "serve", "--config", str(base / "gateway.ini")],
            port,
            args,
            f"AlarmHugger on {env_name}",
            base,
        )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
