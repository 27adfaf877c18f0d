#!/usr/bin/env python3
"""CPU per delivered update, two ways, for every server in one run (bench/README.md, "CPU").

1. Instructions per delivery with callgrind (ours and the bare relay; deterministic, so not
   disturbed by whatever else runs on the machine). Each server runs under
   `valgrind --tool=callgrind` through the same fixed, scripted load twice, for the same time:
   once at rate r and once at 2r. Both runs pay the same start-up, connecting, syncing, timers
   and shutdown, so (instructions at 2r - at r) / (deliveries at 2r - at r) is what one more
   delivered update costs. User-space instructions only: the kernel's socket work (most of a
   delivery's CPU, see bench/NOTES.md) is not in them.
2. CPU seconds per million deliveries from the server process's own accounting (user + system
   time of all its threads, /proc/PID/task/*/schedstat, over the measured window and its drain),
   native, for every server, the kernel's share included. Noisy on a shared machine: each load
   runs REPS times, servers in turns, and the median is reported.

    bench/cpu.py                         # everything (about 15 minutes on 2 cores)
    bench/cpu.py --no-callgrind          # only the CPU seconds
    bench/cpu.py --only ours,relay --loads s1,s5-1x50

Needs the release binaries (`cargo build --release --bin werkplaats --bin loadgen --bin relay`)
and, for the Node peers, `bench/run.sh`'s install (bench/peers/node). Writes
bench/peers/cpu/results.json and prints a Markdown table.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench/peers/cpu")
PEERS = os.path.join(ROOT, "bench/peers")

OURS = [
    "target/release/werkplaats", "--join-per-minute", "1000000",
    "--session-joins-per-minute", "1000000", "--create-per-minute", "1000000",
    "--max-connections", "30000", "--web", "bench/peers/no-web",
]

# name -> the load under callgrind (scenario args without rate and duration; the rate flag
# and the lower of the two rates; the duration flag and seconds) and natively. Under callgrind
# a server runs some 50x slower, so the rates there stay low enough that it keeps up (nothing
# lost; loadgen checks); natively they are those of bench/run.sh's trials.
LOADS = {
    "s1": {
        "callgrind": ["s1", "--clients", "50"],
        "rate": ("--rate", 0.5), "seconds": ("--seconds", 6),
        "native": ["s1", "--clients", "50", "--rate", "1", "--seconds", "10"],
    },
    "s1-20x10": {
        "callgrind": ["s1", "--sessions", "20", "--clients", "10", "--writers", "1"],
        "rate": ("--rate", 2), "seconds": ("--seconds", 6),
        "native": ["s1", "--sessions", "20", "--clients", "10", "--writers", "1", "--rate", "20",
                   "--seconds", "10"],
    },
    "s5-1x50": {
        "callgrind": ["s5", "--sessions", "1", "--clients", "50"],
        "rate": ("--rates", 2), "seconds": ("--step-seconds", 6),
        "native": ["s5", "--sessions", "1", "--clients", "50", "--rates", "50",
                   "--step-seconds", "4"],
    },
    "s5-100x10": {
        "callgrind": ["s5", "--sessions", "100", "--clients", "10"],
        "rate": ("--rates", 0.25), "seconds": ("--step-seconds", 6),
        "native": ["s5", "--sessions", "100", "--clients", "10", "--rates", "10",
                   "--step-seconds", "4"],
    },
}

CALLGRIND_KINDS = ["ours", "ours-sqlite", "relay"]
NATIVE_KINDS = ["ours", "ours-sqlite", "ours-full", "y-websocket", "hocuspocus", "y-sweet", "relay"]


# As in bench/run.sh: the server and the load generator run real-time (SCHED_FIFO) unless
# BENCH_SCHED=nice, so others' work on the shared machine stays out of the latencies. Not under
# callgrind (instructions do not depend on it, and a real-time valgrind would hog a core).
PRIO = ["nice", "-n", "-10"] if os.environ.get("BENCH_SCHED") == "nice" else ["chrt", "-f", "10"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(kind, port, data):
    addr = f"127.0.0.1:{port}"
    if kind == "ours":
        return OURS + ["--bind", addr, "--store", "memory"], {}
    if kind == "ours-sqlite":
        return OURS + ["--bind", addr, "--store", "sqlite", "--data", data], {}
    if kind == "ours-full":
        return OURS + ["--bind", addr, "--store", "sqlite", "--sqlite-sync", "full",
                       "--data", data], {}
    if kind == "relay":
        return ["target/release/relay", "--bind", addr], {}
    if kind == "y-websocket":
        return ["node", "bench/y-websocket-server.cjs"], {"PORT": str(port)}
    if kind == "hocuspocus":
        return ["node", "bench/hocuspocus-server.mjs"], {"PORT": str(port)}
    if kind == "y-sweet":
        return [f"{PEERS}/y-sweet/bin/y-sweet", "serve", "--host", "127.0.0.1",
                "--port", str(port)], {}
    raise ValueError(kind)


def available(kind):
    if kind in ("y-websocket", "hocuspocus"):
        return os.path.isdir(f"{PEERS}/node/node_modules/@y/websocket-server")
    if kind == "y-sweet":
        return os.access(f"{PEERS}/y-sweet/bin/y-sweet", os.X_OK)
    return True


def wait_listening(port, proc, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def thread_cpu(pid):
    """CPU seconds per thread name of a process (its threads now alive)."""
    out = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                ns = int(f.read().split()[0])
        except OSError:
            continue
        out[name] = out.get(name, 0) + ns / 1e9
    return out


def store_counters(port):
    """Our server's store counters from /metrics (loopback needs no key)."""
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        if line.startswith("werkplaats_store_"):
            name, value = line.split()
            out[name] = float(value)
    return out


def run_trial(kind, load_args, pin, callgrind_out=None, extra=None):
    """Starts a fresh server, runs one loadgen scenario against it, stops it gracefully.
    Returns (loadgen JSON, callgrind instruction total or None). With `extra` (a dict), also
    records the server's CPU per thread and, for ours, its store counters."""
    port = free_port()
    data = os.path.join(OUT, f"data-{kind}-{port}")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)
    cmd, env_extra = server_command(kind, port, data)
    if callgrind_out:
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={callgrind_out}"] + cmd
    env = dict(os.environ, **env_extra)
    log = open(os.path.join(OUT, f"{kind}-{port}.log"), "w")
    prio = [] if callgrind_out else PRIO
    proc = subprocess.Popen(prio + ["taskset", "-c", pin[0]] + cmd, cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_listening(port, proc, 60 if callgrind_out else 15):
            return {"ok": False, "error": f"{kind} did not start"}, None
        time.sleep(1.0 if callgrind_out else 0.3)
        target = "ours" if kind.startswith("ours") else kind
        lg = subprocess.run(
            prio + ["taskset", "-c", pin[1], "target/release/loadgen", "--target", target,
             "--addr", f"127.0.0.1:{port}", "--server-pid", str(proc.pid)] + load_args,
            cwd=ROOT, capture_output=True, text=True, timeout=900)
        try:
            result = json.loads(lg.stdout)
        except json.JSONDecodeError:
            result = {"ok": False, "error": f"loadgen: {lg.stderr[-300:]}"}
        if extra is not None:
            extra["threads"] = thread_cpu(proc.pid)
            if kind.startswith("ours"):
                extra["store"] = store_counters(port)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=120 if callgrind_out else 10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(data, ignore_errors=True)
    instructions = None
    if callgrind_out and os.path.exists(callgrind_out):
        with open(callgrind_out) as f:
            for line in f:
                if line.startswith("totals:") or line.startswith("summary:"):
                    instructions = int(line.split()[1])
    return result, instructions


def deliveries(result):
    """Deliveries and the server's CPU seconds per million deliveries of a loadgen result."""
    if result.get("scenario") == "s5" or "steps" in result:
        steps = result.get("steps") or []
        if not steps:
            return None, None
        step = steps[-1]
        return step.get("delivered"), step.get("server_cpu_secs_per_million")
    return result.get("delivered"), result.get("server_cpu_secs_per_million")


def ok(result):
    if result.get("ok") is not True:
        return False
    for step in result.get("steps") or []:
        if step.get("failures") or step.get("delivered") != step.get("expected"):
            return False
    return True


def callgrind(kinds, loads, pin):
    rows = {}
    for load in loads:
        spec = LOADS[load]
        rate_flag, rate = spec["rate"]
        seconds_flag, seconds = spec["seconds"]
        for kind in kinds:
            runs = []
            for r in (rate, 2 * rate):
                out = os.path.join(OUT, f"callgrind.{kind}.{load}.{r:g}.out")
                args = spec["callgrind"] + [rate_flag, f"{r:g}", seconds_flag, f"{seconds:g}"]
                result, ir = run_trial(kind, args, pin, callgrind_out=out)
                n, _ = deliveries(result)
                good = ok(result)
                print(f"  callgrind {load:10} {kind:12} rate {r:g} ok={good} deliveries={n} "
                      f"instructions={ir}", file=sys.stderr, flush=True)
                runs.append({"rate": r, "seconds": seconds, "ok": good,
                             "error": result.get("error"), "deliveries": n,
                             "instructions": ir})
            (a, b) = runs
            per = None
            if a["ok"] and b["ok"] and a["instructions"] and b["instructions"] and \
                    b["deliveries"] > a["deliveries"]:
                per = (b["instructions"] - a["instructions"]) / (b["deliveries"] - a["deliveries"])
            rows.setdefault(load, {})[kind] = {"instructions_per_delivery": per, "runs": runs}
    return rows


def native(kinds, loads, reps, pin):
    rows = {}
    for rep in range(reps):
        for load in loads:
            for kind in kinds:
                result, _ = run_trial(kind, LOADS[load]["native"], pin)
                n, per_million = deliveries(result)
                good = ok(result)
                print(f"  native {load:10} {kind:12} rep {rep + 1} ok={good} deliveries={n} "
                      f"cpu s/M={per_million}", file=sys.stderr, flush=True)
                rows.setdefault(load, {}).setdefault(kind, []).append(
                    {"ok": good, "error": result.get("error"), "deliveries": n,
                     "cpu_secs_per_million": per_million,
                     "loadavg": os.getloadavg()[0]})
    medians = {}
    for load, by_kind in rows.items():
        for kind, trials in by_kind.items():
            values = [t["cpu_secs_per_million"] for t in trials
                      if t["ok"] and t["cpu_secs_per_million"] is not None]
            medians.setdefault(load, {})[kind] = statistics.median(values) if values else None
    return {"trials": rows, "medians": medians}


def table(results, loads):
    lines = []
    cg = results.get("callgrind")
    if cg:
        kinds = [k for k in CALLGRIND_KINDS if any(k in cg[l] for l in loads if l in cg)]
        lines.append("| load | " + " | ".join(f"{k} (instr./delivery)" for k in kinds)
                     + " | ours÷relay | ours-sqlite÷relay |")
        lines.append("|---" * (len(kinds) + 3) + "|")
        for load in loads:
            if load not in cg:
                continue
            vals = {k: cg[load].get(k, {}).get("instructions_per_delivery") for k in kinds}
            cells = [f"{vals[k]:,.0f}" if vals[k] else "–" for k in kinds]
            relay = vals.get("relay")
            ratios = [f"{vals[k] / relay:.2f}" if vals.get(k) and relay else "–"
                      for k in ("ours", "ours-sqlite")]
            lines.append(f"| {load} | " + " | ".join(cells + ratios) + " |")
        lines.append("")
    nat = results.get("native")
    if nat:
        kinds = [k for k in NATIVE_KINDS if any(k in nat["medians"].get(l, {}) for l in loads)]
        lines.append("| load (CPU s per million deliveries) | " + " | ".join(kinds) + " |")
        lines.append("|---" * (len(kinds) + 1) + "|")
        for load in loads:
            m = nat["medians"].get(load, {})
            cells = [f"{m[k]:.2f}" if m.get(k) is not None else "–" for k in kinds]
            lines.append(f"| {load} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="comma-separated servers")
    ap.add_argument("--loads", default=",".join(LOADS), help="comma-separated loads")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of the native runs")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--no-native", action="store_true")
    ap.add_argument("--server-core", default=os.environ.get("SERVER_CORE", "0"))
    ap.add_argument("--loadgen-core", default=os.environ.get("LOADGEN_CORE", "1"))
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(os.path.join(PEERS, "no-web"), exist_ok=True)
    only = args.only.split(",") if args.only else None
    loads = args.loads.split(",")
    pin = (args.server_core, args.loadgen_core)
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                        capture_output=True, text=True).stdout.strip(),
               "loads": {l: LOADS[l] for l in loads}, "loadavg_start": os.getloadavg()[0]}
    if not args.no_callgrind:
        kinds = [k for k in CALLGRIND_KINDS if not only or k in only]
        results["callgrind"] = callgrind(kinds, loads, pin)
    if not args.no_native:
        kinds = [k for k in NATIVE_KINDS if (not only or k in only) and available(k)]
        results["native"] = native(kinds, loads, args.reps, pin)
    results["loadavg_end"] = os.getloadavg()[0]
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(table(results, loads))


if __name__ == "__main__":
    main()
