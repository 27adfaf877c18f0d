#!/usr/bin/env python3
"""Where the instructions of one more delivery go: the per-function difference of two callgrind
profiles of the same server under the same load at rates r and 2r (bench/cpu.py writes them to
bench/peers/cpu/callgrind.KIND.LOAD.RATE.out), divided by the difference in deliveries.

    bench/callgrind_diff.py LOW.out HIGH.out DELIVERIES_LOW DELIVERIES_HIGH [--top 25]
"""

import argparse
import re
import subprocess
from collections import defaultdict

LINE = re.compile(r"^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$")


def profile(path):
    text = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", path],
                          capture_output=True, text=True, check=True).stdout
    out = defaultdict(int)
    lines = text.splitlines()
    # The function table only: from its header to the next rule after it.
    start = next(i for i, l in enumerate(lines) if l.rstrip().endswith("file:function")) + 2
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("--")), len(lines))
    for line in lines[start:end]:
        m = LINE.match(line)
        if m and "PROGRAM TOTALS" not in m.group(2):
            name = m.group(2).split(" [")[0]
            name = name.split(":", 1)[1] if ":" in name else name
            out[name] += int(m.group(1).replace(",", ""))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("low")
    ap.add_argument("high")
    ap.add_argument("deliveries_low", type=int)
    ap.add_argument("deliveries_high", type=int)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    low, high = profile(args.low), profile(args.high)
    n = args.deliveries_high - args.deliveries_low
    diff = {k: (high.get(k, 0) - low.get(k, 0)) / n for k in set(low) | set(high)}
    total = sum(diff.values())
    print(f"{total:,.0f} instructions per delivery in all")
    for name, v in sorted(diff.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{v:8,.0f}  {v / total:5.1%}  {name[:150]}")


if __name__ == "__main__":
    main()
