"""Burst benchmark: how fast a real ``gateway serve`` takes N distinct alerts.

Starts the gateway (waitress, real port) on SQLite or PostgreSQL, fires N
distinct TradingView-style alerts from C client threads over keep-alive
connections, and prints the wall time, the rate and the slowest answer,
and the CPU time the server process used per alert (Linux). Also
measures a bare Flask app on waitress that only answers 200, as the
reference the architecture compares against.

    .venv/bin/python bench/burst.py --alerts 1000 --clients 32
    .venv/bin/python bench/burst.py --database postgresql://postgres@127.0.0.1:5432/bench

``--memory`` adds a third server: the gateway with the core's in-memory
test storage instead of the SQL plugin, which shows what the core costs
without any database (a diagnostic: it patches the app factory).
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

# The gateway with the core's in-memory test storage in place of the SQL plugin.
MEMORY_GATEWAY = """
import sys
import gateway.app
from gateway._memory_storage import MemoryStorage
from gateway.cli import main
create_app = gateway.app.create_app
def with_memory(config=None, **options):
    options["plugins"] = {{"sql": MemoryStorage()}}
    return create_app(config, **options)
gateway.app.create_app = with_memory
sys.exit(main(["serve", "--config", {config!r}]))
"""

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


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) process ``pid`` has used so far (Linux only)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(
    name: str,
    alerts: int,
    wall: float,
    latencies: list[float],
    failures: int,
    cpu: float | None = None,
) -> None:
    ordered = sorted(latencies)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    shown_cpu = ""
    if cpu is not None:
        shown_cpu = f"  server cpu {cpu / alerts * 1000:.2f} ms/alert"
    print(
        f"{name:<28} {alerts} alerts in {wall:.2f} s = {alerts / wall:7.0f}/s  "
        f"median {statistics.median(ordered) * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms  "
        f"max {ordered[-1] * 1000:.1f} ms  failures {failures}{shown_cpu}"
    )


def run(
    command: list[str], port: int, args: argparse.Namespace, name: str, cwd: Path
) -> None:
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port)
        fire(port, 50, 4)  # warm up connections, caches and the schema
        before = cpu_seconds(process.pid)
        wall, latencies, failures = fire(port, args.alerts, args.clients)
        after = cpu_seconds(process.pid)
        cpu = None if before is None or after is None else after - before
        report(name, args.alerts, wall, latencies, failures, cpu)
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--database", help="a PostgreSQL URL (default: SQLite in a temp folder)"
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="also measure the gateway with the in-memory test storage (no database)",
    )
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
            [
                sys.executable,
                "-m",
                "gateway.cli",
                "serve",
                "--config",
                str(base / "gateway.ini"),
            ],
            port,
            args,
            f"AlarmHugger on {env_name}",
            base,
        )

        if args.memory:
            port = free_port()
            memory = base / "memory"
            memory.mkdir()
            (memory / "gateway.ini").write_text(
                "[gateway]\nplugins = tradingview, sql\n"
                f"port = {port}\nthreads = {args.threads}\n"
                "[logging]\nconsole = false\nfile = logs/gateway.log\n"
            )
            config = str(memory / "gateway.ini")
            (memory / "memory.py").write_text(MEMORY_GATEWAY.format(config=config))
            name = "AlarmHugger, memory storage"
            run([sys.executable, "memory.py"], port, args, name, memory)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
