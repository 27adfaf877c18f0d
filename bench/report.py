#!/usr/bin/env python3
"""Turns the trials of one bench/run.sh run into bench/results.json and BENCHMARKS.md.

A trial counts when it lost nothing, its replicas converged (`ok`) and the load generator was
not saturated (more than 0.9 of its core while measuring); the table shows the median of the
counted trials. The hand-written analysis in bench/NOTES.md is appended to BENCHMARKS.md.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess

# "ours": the memory store; "ours-sqlite": the default SQLite store (--sqlite-sync normal);
# "ours-full": SQLite with --sqlite-sync full.
TARGETS = ["ours", "ours-sqlite", "ours-full", "y-websocket", "y-sweet", "hocuspocus", "relay"]
OURS = ["ours", "ours-sqlite", "ours-full"]
PEERS = ["y-websocket", "y-sweet", "hocuspocus"]
SATURATED = 0.9

# (scenario label, key path, row name, unit, scale, better)
METRICS = [
    ("s1", "latency_ms.p50", "S1 fan-out latency p50", "ms", 1, "lower"),
    ("s1", "latency_ms.p99", "S1 fan-out latency p99", "ms", 1, "lower"),
    ("s1", "latency_ms.p999", "S1 fan-out latency p99.9", "ms", 1, "lower"),
    ("s1-20x10", "latency_ms.p50", "S1 20x10 (1 writer at 20/s) p50", "ms", 1, "lower"),
    ("s1-20x10", "latency_ms.p99", "S1 20x10 (1 writer at 20/s) p99", "ms", 1, "lower"),
    ("s1-20x10", "latency_ms.p999", "S1 20x10 (1 writer at 20/s) p99.9", "ms", 1, "lower"),
    ("s1", "server_cpu_secs_per_million", "S1 server CPU per million deliveries", "s", 1, "lower"),
    ("s1-20x10", "server_cpu_secs_per_million", "S1 20x10 server CPU per million deliveries", "s", 1, "lower"),
    ("s2", "bytes_per_connection", "S2 memory per connection", "KiB", 1 / 1024, "lower"),
    ("s2", "bytes_per_session", "S2 memory per session", "KiB", 1 / 1024, "lower"),
    ("s3", "join1_ms", "S3 1 joiner, initial sync", "ms", 1, "lower"),
    ("s3", "join_many_max_ms", "S3 50 joiners, all synced", "ms", 1, "lower"),
    ("s4", "skew_ms.p50", "S4 stage-change skew p50", "ms", 1, "lower"),
    ("s4", "skew_ms.p99", "S4 stage-change skew p99", "ms", 1, "lower"),
    ("s4", "skew_ms.spread_median", "S4 spread first-last (median)", "ms", 1, "lower"),
    ("s4", "skew_ms.spread_p99", "S4 spread first-last (p99)", "ms", 1, "lower"),
    ("s4", "arrival_skew_ms.p99", "S4 arrival skew p99 (the event alone)", "ms", 1, "lower"),
    # ours only: stages changed by a facilitator's command, and when each client's countdown
    # of the ending stage showed zero (the deadline on its estimate of the server's clock)
    ("s4", "command_skew_ms.p99", "S4 facilitator-driven skew p99", "ms", 1, "lower"),
    ("s4", "countdown_skew_ms.p99", "S4 countdown-zero skew p99 (server clock)", "ms", 1, "lower"),
    ("s5-1x50", "capacity_deliveries_per_sec", "S5 capacity 1x50", "deliveries/s", 1, "higher"),
    ("s5-100x10", "capacity_deliveries_per_sec", "S5 capacity 100x10", "deliveries/s", 1, "higher"),
]


def get(d, path):
    for part in path.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def saturated(trial):
    cpu = trial.get("loadgen_cpu")
    return isinstance(cpu, (int, float)) and cpu > SATURATED


def counted(trial):
    return trial.get("ok") is True and not saturated(trial)


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:  # noqa: BLE001 - informational only
        return "?"


def package_version(name):
    path = os.path.join("bench/peers/node/node_modules", name, "package.json")
    try:
        with open(path) as f:
            return json.load(f)["version"]
    except OSError:
        return "?"


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "rustc": sh("rustc", "--version"),
        "node": sh("node", "--version"),
        "peers": {
            "@hocuspocus/server": package_version("@hocuspocus/server"),
            "@y/websocket-server": package_version("@y/websocket-server"),
            "yjs": package_version("yjs"),
            "y-sweet": sh("bench/peers/y-sweet/bin/y-sweet", "--version") or "0.9.1",
        },
    }


def fmt(value, unit):
    if value is None:
        return "–"
    if unit == "deliveries/s":
        return f"{value / 1000:,.0f}k"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--quick", default="0")
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--server-core", default="0")
    ap.add_argument("--loadgen-core", default="1")
    ap.add_argument("--out-dir", default="",
                    help="write results.json and BENCHMARKS.md here instead (a subset run)")
    args = ap.parse_args()
    with open(args.raw) as f:
        trials = [json.loads(line) for line in f if line.strip()]

    medians = {}
    counts = {}
    bounds = {}
    for label, path, name, unit, scale, better in METRICS:
        for target in TARGETS:
            ts = [t for t in trials if t["label"] == label and t["target"] == target]
            good = [t for t in ts if counted(t)]
            values = [get(t, path) for t in good]
            values = [v * scale for v in values if isinstance(v, (int, float))]
            medians.setdefault(name, {})[target] = statistics.median(values) if values else None
            counts.setdefault(label, {})[target] = {
                "trials": len(ts),
                "counted": len(good),
                "failed": sum(1 for t in ts if t.get("ok") is not True),
                "saturated": sum(1 for t in ts if t.get("ok") is True and saturated(t)),
            }
            if label.startswith("s5"):
                bounds.setdefault(label, {})[target] = any(t.get("loadgen_bound") for t in good)

    floors = compute_floors(medians)
    meta = machine()
    meta.update(
        date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        repetitions=args.reps,
        quick=args.quick == "1",
        run_seconds=args.seconds,
        server_core=args.server_core,
        loadgen_core=args.loadgen_core,
        commit=sh("git", "rev-parse", "--short", "HEAD"),
    )
    json_path, md_path = "bench/results.json", "BENCHMARKS.md"
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        json_path = os.path.join(args.out_dir, "results.json")
        md_path = os.path.join(args.out_dir, "BENCHMARKS.md")
    with open(json_path, "w") as f:
        json.dump(
            {"meta": meta, "medians": medians, "counts": counts, "floors": floors, "trials": trials},
            f,
            indent=1,
        )
    with open(md_path, "w") as f:
        f.write(markdown(meta, medians, counts, bounds, floors))


def compute_floors(m):
    def best_peer(name, better):
        values = [m[name][p] for p in PEERS if m[name].get(p) is not None]
        if not values:
            return None
        return min(values) if better == "lower" else max(values)

    def check(text, ours, limit, holds):
        ok = None if ours is None or limit is None else holds(ours, limit)
        return {"floor": text, "ours": ours, "limit": limit, "holds": ok}

    out = []
    p99 = "S1 fan-out latency p99"
    best = best_peer(p99, "lower")
    out.append(check("S1 p99 at least 3x lower than the best peer", m[p99]["ours"],
                     best / 3 if best else None, lambda o, l: o <= l))
    relay = m[p99].get("relay")
    out.append(check("S1 p99 within 2x of the bare relay", m[p99]["ours"],
                     relay * 2 if relay else None, lambda o, l: o <= l))
    for q in ["p50", "p99"]:
        name = f"S1 20x10 (1 writer at 20/s) {q}"
        yws = m[name].get("y-websocket")
        out.append(check(f"S1 20x10 {q} of the default store at or below y-websocket's",
                         m[name].get("ours-sqlite"), yws, lambda o, l: o <= l))
    out.append(check("S2 at most 6 KiB per connection", m["S2 memory per connection"]["ours"],
                     6.0, lambda o, l: o <= l))
    j = "S3 50 joiners, all synced"
    best = best_peer(j, "lower")
    out.append(check("S3 at least 5x faster than the best peer with 50 joiners", m[j]["ours"],
                     best / 5 if best else None, lambda o, l: o <= l))
    out.append(check("S4 p99 skew at most 5 ms", m["S4 stage-change skew p99"]["ours"], 5.0,
                     lambda o, l: o <= l))
    for cfg in ["1x50", "100x10"]:
        name = f"S5 capacity {cfg}"
        best = best_peer(name, "higher")
        out.append(check(f"S5 {cfg} at least 3x the best peer's capacity", m[name]["ours"],
                         best * 3 if best else None, lambda o, l: o >= l))
        relay = m[name].get("relay")
        out.append(check(f"S5 {cfg} at least 50 % of the bare relay's deliveries/s", m[name]["ours"],
                         relay * 0.5 if relay else None, lambda o, l: o >= l))
    return out


def markdown(meta, m, counts, bounds, floors):
    lines = []
    w = lines.append
    w("# Benchmarks\n")
    w("Werkplaats against the Yjs servers people use today, and a bare websocket relay without")
    w("CRDT as the physical reference. Generated by `bench/run.sh` (do not edit by hand: the")
    w("analysis lives in `bench/NOTES.md` and is appended below). Raw trials: `bench/results.json`.\n")
    w(f"- **Date**: {meta['date']}, commit `{meta['commit']}`")
    w(f"- **Machine**: {meta['cores']} cores ({meta['cpu']}), {meta['memory_gib']} GiB, "
      f"Linux {meta['kernel']}; shared with other developers' builds, tests and benchmarks")
    w(f"- **Pinning**: server on core {meta['server_core']}, load generator on core "
      f"{meta['loadgen_core']} (`taskset`), both real-time (`chrt -f 10`, see the notes); "
      "a fresh server process per trial")
    p = meta["peers"]
    w(f"- **Peers**: @y/websocket-server {p['@y/websocket-server']} with yjs {p['yjs']}, "
      f"y-sweet {p['y-sweet']}, @hocuspocus/server {p['@hocuspocus/server']} "
      f"(all in memory, default settings), on Node {meta['node']}; ours built with {meta['rustc']}")
    quick = " (QUICK: small sizes, not comparable)" if meta["quick"] else ""
    w(f"- **Repetitions**: {meta['repetitions']} per scenario and server, in turns{quick}; "
      f"the run took {meta['run_seconds'] // 60} min {meta['run_seconds'] % 60} s")
    w("- **Reproduce**: `bench/run.sh` (see `bench/README.md`)\n")

    w("## Medians\n")
    w("Ratios are ours ÷ peer: below 1 is better for ours where lower is better (latency, memory,")
    w("time), above 1 where higher is better (capacity).\n")
    others = [t for t in TARGETS if t not in OURS]
    head = "| metric | " + " | ".join(TARGETS) + " | " + " | ".join(f"ours÷{t}" for t in others) + " |"
    w(head)
    w("|" + "---|" * (1 + len(TARGETS) + len(others)))
    for label, path, name, unit, scale, better in METRICS:
        row = m[name]
        cells = []
        for t in TARGETS:
            v = fmt(row.get(t), unit)
            if label.startswith("s5") and bounds.get(label, {}).get(t) and row.get(t) is not None:
                v = "≥" + v
            c = counts[label][t]
            if row.get(t) is None and c["trials"]:
                if c["counted"]:
                    v = "–"  # counted trials, but the metric is not one this server has
                else:
                    v = f"fail ({c['failed']}/{c['trials']})" if c["failed"] else "sat."
            cells.append(v)
        ratios = []
        ours = row.get("ours")
        for t in others:
            other = row.get(t)
            ratios.append(f"{ours / other:.2f}" if ours is not None and other else "–")
        w(f"| {name} ({unit}, {better} is better) | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    w("")
    w("`ours` runs with `--store memory`, `ours-sqlite` with the default store (SQLite,")
    w("`--sqlite-sync normal`), `ours-full` with SQLite and `--sqlite-sync full`.\n")
    w("### Our stores against y-websocket (S1)\n")
    w("| metric | " + " | ".join(f"{t}÷y-websocket" for t in OURS) + " |")
    w("|" + "---|" * (1 + len(OURS)))
    for label, path, name, unit, scale, better in METRICS:
        if not label.startswith("s1"):
            continue
        base = m[name].get("y-websocket")
        cells = [f"{m[name][t] / base:.2f}" if m[name].get(t) is not None and base else "–"
                 for t in OURS]
        w(f"| {name} | " + " | ".join(cells) + " |")
    w("")
    w("`fail (n/m)`: n of m trials lost updates, disconnected clients or did not converge, so none")
    w("counts; `≥`: the load generator saturated before the server failed, so the capacity is a")
    w("lower bound; `–`: not applicable (the relay keeps no document to join).\n")

    w("## Trials\n")
    w("| scenario | " + " | ".join(TARGETS) + " |")
    w("|" + "---|" * (1 + len(TARGETS)))
    for label in counts:
        cells = []
        for t in TARGETS:
            c = counts[label][t]
            cells.append(f"{c['counted']}/{c['trials']}" + (f", {c['saturated']} sat." if c["saturated"] else ""))
        w(f"| {label} | " + " | ".join(cells) + " |")
    w("\ncounted/run; `sat.`: discarded because the load generator used more than 90 % of its core.\n")

    w("## Floors (issue 6)\n")
    w("| floor | ours | limit | holds |")
    w("|---|---|---|---|")
    for f in floors:
        holds = {True: "yes", False: "**no**", None: "n/a"}[f["holds"]]
        ours = "–" if f["ours"] is None else f"{f['ours']:,.2f}"
        limit = "–" if f["limit"] is None else f"{f['limit']:,.2f}"
        w(f"| {f['floor']} | {ours} | {limit} | {holds} |")
    w("")
    try:
        with open("bench/NOTES.md") as f:
            w(f.read())
    except OSError:
        pass
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
