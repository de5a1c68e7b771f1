#!/usr/bin/env bash
# bench/tokenize.sh [RUNS] - what the tokenize stage costs, measured against the no-stage
# pipeline in the same run (issue 3's target: tokenize-only <= 1.5x the no-stage time).
#
# Builds the tree (build/) and the 50 MB corpus (bench/data/comments.ndjson, from
# ../shared/eval/make_bench.py) when missing, then alternates RUNS times (default 5):
#   textpipe run bench/tokenize-baseline.json   (no stage)
#   textpipe run pipelines/tokenize-only.json   (tokenize, emit none)
# with the default workers (one per core) and with --workers 1, and prints the median wall
# and CPU (user+sys) seconds of each, their ratios, and tokens/s. Last, the engine alone
# (build/plugins/tokenize/tokenize_bench: no JSON, no pipeline) on the corpus text.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
corpus=bench/data/comments.ndjson
. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"
scripts/build build >&2
ninja -C build plugins/tokenize/tokenize_bench >/dev/null
binary=build/core/textpipe
report=$(mktemp)
trap 'rm -f "$report"' EXIT

# One timed run: prints "wall cpu" in seconds.
timed_run() {
  local pipeline=$1
  shift
  python3 - "$binary" "$pipeline" "$corpus" "$report" "$@" <<'PY'
import os, subprocess, sys, time
binary, pipeline, corpus, report, *extra = sys.argv[1:]
start = time.perf_counter()
before = os.times()
subprocess.run([binary, "run", pipeline, "-i", corpus, "-o", "/dev/null", "-q",
                "--report", report, *extra], check=True)
after = os.times()
wall = time.perf_counter() - start
cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
print(f"{wall:.4f} {cpu:.4f}")
PY
}

for workers in default 1; do
  extra=()
  [ "$workers" = 1 ] && extra=(--workers 1)
  baseline=() tokenize=()
  for _ in $(seq "$runs"); do
    baseline+=("$(timed_run bench/tokenize-baseline.json "${extra[@]}")")
    tokenize+=("$(timed_run pipelines/tokenize-only.json "${extra[@]}")")
  done
  python3 - "$workers" "$report" "$(stat -L -c %s "$corpus")" "${baseline[@]}" -- "${tokenize[@]}" <<'PY'
import json, statistics, sys
workers, report, size, *rest = sys.argv[1:]
split = rest.index("--")
base = [tuple(map(float, r.split())) for r in rest[:split]]
tok = [tuple(map(float, r.split())) for r in rest[split + 1:]]
tokens = json.load(open(report))["sections"]["tokenize"]["tokens"]
bw, bc = statistics.median(w for w, _ in base), statistics.median(c for _, c in base)
tw, tc = statistics.median(w for w, _ in tok), statistics.median(c for _, c in tok)
mb = int(size) / 1e6
print(f"workers {workers}: {len(base)} runs each, {mb:.1f} MB, {tokens} tokens")
print(f"  no stage       wall {bw:.3f} s ({mb / bw:.0f} MB/s)   cpu {bc:.3f} s")
print(f"  tokenize-only  wall {tw:.3f} s ({mb / tw:.0f} MB/s)   cpu {tc:.3f} s")
print(f"  ratio          wall {tw / bw:.2f}x   cpu {tc / bc:.2f}x   (target <= 1.5x)")
print(f"  tokens/s       {tokens / tw / 1e6:.2f} M end to end, "
      f"{tokens / max(tc - bc, 1e-9) / 1e6:.2f} M per CPU-second of tokenizing")
PY
done
echo "engine alone (bench/tokenize_bench.c, CPU time, one core):"
build/plugins/tokenize/tokenize_bench --runs "$runs" "$corpus"
