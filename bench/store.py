"""Storage benchmark: the SQL plugin's write path alone, without HTTP.

Starts the SQL storage plugin on SQLite or PostgreSQL and has T threads
(the request threads of a gateway) store N distinct TradingView-style
alarms through ``gateway_store_alarm``, as the core would. Prints the
rate, the CPU time per alarm, the latency of a store, and how many
transactions the alarms took (group commit puts several in one).

    .venv/bin/python bench/store.py --alarms 4000 --threads 8
    .venv/bin/python bench/store.py --database postgresql://postgres@127.0.0.1:5432/bench

This isolates the plugin from the core (Flask, waitress, logging), whose
own cost per request is measured by ``burst.py --memory``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event

from gateway.kit import Alarm
from gateway.kit import GatewayConfig

from alarmhugger_sql import SqlStorage

UTC = dt.timezone.utc


def make_alarm(number: int) -> Alarm:
    """An alarm as the TradingView parser makes it, with a hash dedup key."""
    now = dt.datetime.now(UTC)
    raw = (
        f'{{"ticker":"T{number}","exchange":"BINANCE","interval":"15",'
        f'"close":{64000 + number}.5,"action":"buy","n":{number}}}'
    )
    return Alarm(
        id=str(uuid.uuid4()),
        received_at=now,
        source="default",
        client_ip="127.0.0.1",
        content_type="application/json",
        raw=raw,
        parser="tradingview",
        format="json",
        ticker=f"T{number}",
        exchange="BINANCE",
        interval="15",
        action="buy",
        price=Decimal(f"{64000 + number}.5"),
        fields={
            "ticker": f"T{number}",
            "exchange": "BINANCE",
            "interval": "15",
            "close": Decimal(f"{64000 + number}.5"),
            "action": "buy",
            "n": number,
        },
        dedup_key=f"hash:{uuid.uuid4().hex}",
        dedup_until=now + dt.timedelta(seconds=10),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alarms", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--notifiers", type=int, default=1, help="deliveries per alarm")
    parser.add_argument(
        "--database", help="a PostgreSQL URL (default: SQLite in a temp folder)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        url = args.database or f"sqlite:///{base / 'bench.db'}"
        config = GatewayConfig(
            {
                "gateway": {"threads": str(args.threads), "data_dir": str(base)},
                "plugin:sql": {"url": url},
            },
            path=base / "gateway.ini",
        )
        storage = SqlStorage()
        storage.gateway_configure(config)
        storage.gateway_startup(config)
        notifiers = [f"notifier-{index}" for index in range(args.notifiers)]
        try:
            for number in range(50):  # warm up connections and caches
                storage.gateway_store_alarm(make_alarm(number), notifiers)

            commits = []
            event.listen(storage.database.engine, "commit", lambda _: commits.append(1))
            alarms = [make_alarm(number) for number in range(args.alarms)]
            numbers = iter(range(args.alarms))
            lock = threading.Lock()
            latencies: list[float] = []

            def request_thread() -> None:
                while True:
                    with lock:
                        number = next(numbers, None)
                    if number is None:
                        return
                    started = time.perf_counter()
                    storage.gateway_store_alarm(alarms[number], notifiers)
                    elapsed = time.perf_counter() - started
                    with lock:
                        latencies.append(elapsed)

            threads = [
                threading.Thread(target=request_thread) for _ in range(args.threads)
            ]
            cpu_before = time.process_time()
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu_before
        finally:
            storage.gateway_shutdown()

    ordered = sorted(latencies)
    backend = "PostgreSQL" if args.database else "SQLite"
    print(
        f"{backend}, {args.threads} threads: {args.alarms} alarms in {wall:.2f} s = "
        f"{args.alarms / wall:.0f}/s  cpu {cpu / args.alarms * 1000:.2f} ms/alarm  "
        f"median {statistics.median(ordered) * 1000:.1f} ms  "
        f"p99 {ordered[int(len(ordered) * 0.99) - 1] * 1000:.1f} ms  "
        f"{len(commits)} transactions ({args.alarms / max(len(commits), 1):.1f} alarms each)"
    )


if __name__ == "__main__":
    main()
