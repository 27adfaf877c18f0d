#!/usr/bin/env python3
"""Where a delivery's time goes with each of our stores (bench/NOTES.md, "Durable and fast").

Runs one S1 load (default: 20 sessions x 10 clients, one writer each at 20 edits/s) against
ours with the memory store, SQLite `--sqlite-sync normal` and `full`, and y-websocket, in turns
(A, B, C, D, A, B, ...), REPS times, each on a fresh server, and prints per trial the latency
percentiles, the store thread's CPU per commit and the commits' shape from the server's own
counters. The differences between the stores are the parts of the time: memory -> normal is
the store thread (its SQLite work and the two thread hand-offs), normal -> full the fsync.

    bench/latency_breakdown.py [--reps 5] [--seconds 20] [--only ours,ours-sqlite]

Unlike bench/run.sh it does not run the processes real-time; it prints the load average with
every trial. Writes bench/peers/cpu/breakdown.json.
"""

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpu  # noqa: E402

KINDS = ["ours", "ours-sqlite", "ours-full", "y-websocket"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", default="20")
    ap.add_argument("--sessions", default="20")
    ap.add_argument("--clients", default="10")
    ap.add_argument("--writers", default="1")
    ap.add_argument("--rate", default="20")
    ap.add_argument("--only", help="comma-separated servers")
    ap.add_argument("--server-core", default=os.environ.get("SERVER_CORE", "0"))
    ap.add_argument("--loadgen-core", default=os.environ.get("LOADGEN_CORE", "1"))
    args = ap.parse_args()
    kinds = [k for k in KINDS if not args.only or k in args.only.split(",")]
    kinds = [k for k in kinds if cpu.available(k)]
    load = ["s1", "--sessions", args.sessions, "--clients", args.clients,
            "--writers", args.writers, "--rate", args.rate, "--seconds", args.seconds]
    os.makedirs(cpu.OUT, exist_ok=True)
    os.makedirs(os.path.join(cpu.PEERS, "no-web"), exist_ok=True)
    trials = []
    for rep in range(args.reps):
        for kind in kinds:
            extra = {}
            result, _ = cpu.run_trial(kind, load, (args.server_core, args.loadgen_core),
                                      extra=extra)
            lat = result.get("latency_ms") or {}
            store = extra.get("store") or {}
            threads = extra.get("threads") or {}
            commits = store.get("werkplaats_store_transactions_total")
            store_cpu = threads.get("werkplaats-sqli")
            row = {
                "rep": rep + 1, "kind": kind, "ok": result.get("ok"),
                "error": result.get("error"),
                "p50": lat.get("p50"), "p99": lat.get("p99"), "p999": lat.get("p999"),
                "delivered": result.get("delivered"),
                "server_cpu_secs_per_million": result.get("server_cpu_secs_per_million"),
                "commits": commits,
                "writes": store.get("werkplaats_store_writes_total"),
                "wal_syncs": store.get("werkplaats_store_wal_syncs_total"),
                "store_thread_cpu_secs": store_cpu,
                "store_thread_us_per_commit":
                    store_cpu / commits * 1e6 if store_cpu and commits else None,
                "loadavg": os.getloadavg()[0],
            }
            trials.append(row)
            print(json.dumps(row), flush=True)
    with open(os.path.join(cpu.OUT, "breakdown.json"), "w") as f:
        json.dump({"load": load, "trials": trials}, f, indent=1)
    print("\n| server | p50 ms | p99 ms | p99.9 ms | store thread µs/commit | trials |")
    print("|---|---|---|---|---|---|")
    for kind in kinds:
        good = [t for t in trials if t["kind"] == kind and t["ok"]]

        def med(key):
            vals = [t[key] for t in good if t[key] is not None]
            return f"{statistics.median(vals):.3f}" if vals else "–"

        total = sum(1 for t in trials if t["kind"] == kind)
        print(f"| {kind} | {med('p50')} | {med('p99')} | {med('p999')} | "
              f"{med('store_thread_us_per_commit')} | {len(good)}/{total} |")


if __name__ == "__main__":
    main()
