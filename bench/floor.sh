#!/usr/bin/env bash
# bench/floor.sh [RUNS] - how much of the stage ratio targets the least possible per-token work
# already takes, measured against the no-stage pipeline in the same run.
#
# Issues 3-6 set ratios to the no-stage pipeline (one worker): tokenize <= 1.5x, tokenize +
# sentiment / theme / summary <= 2x. bench/floor.c times loops that do strictly less than any
# stage can (split words with SSE2 and write tp_tokens; plus one or two hash-table probes per
# word into a table of the corpus vocabulary), on the corpus text already in memory. This
# script runs the no-stage pipeline RUNS times (default 5) around them and prints, for each
# floor, the ratio a stage doing only that work would reach: (no-stage + floor) / no-stage.
# The no-stage time is taken as CPU (user + sys) and as wall time; the floors are CPU time.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
corpus=bench/data/comments.ndjson
. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"
scripts/build build >&2
ninja -C build bench/floor >/dev/null
floors=$(mktemp)
trap 'rm -f "$floors"' EXIT

baseline=()
for _ in $(seq "$runs"); do
  baseline+=("$(python3 - build/core/textpipe "$corpus" <<'PY'
import os, subprocess, sys, time
binary, corpus = sys.argv[1:]
start, before = time.perf_counter(), os.times()
subprocess.run([binary, "run", "bench/tokenize-baseline.json", "-i", corpus, "-o", "/dev/null",
                "-q", "--workers", "1"], check=True)
after = os.times()
cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
print(f"{time.perf_counter() - start:.4f} {cpu:.4f}")
PY
)")
done
build/bench/floor "$corpus" "$runs" | tee "$floors"
python3 - "$floors" "${baseline[@]}" <<'PY'
import re, statistics, sys
floors_path, *runs = sys.argv[1:]
wall = statistics.median(float(r.split()[0]) for r in runs)
cpu = statistics.median(float(r.split()[1]) for r in runs)
print(f"no-stage pipeline, --workers 1, median of {len(runs)}: wall {wall:.3f} s, cpu {cpu:.3f} s")
print("floor          added     ratio to no-stage wall / cpu   (targets: tokenize 1.5x, +stage 2x)")
for line in open(floors_path):
    m = re.match(r"(\S+(?: \S+)?)\s+([0-9.]+) s CPU", line)
    if m:
        name, added = m.group(1), float(m.group(2))
        print(f"{name:<14} {added:.3f} s   {(wall + added) / wall:.2f}x / {(cpu + added) / cpu:.2f}x")
PY
