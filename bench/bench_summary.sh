#!/usr/bin/env bash
# bench/bench_summary.sh [BUILD_DIR] - speed and peak memory of tokenize + summary.
#
# On the 50 MB bench corpus (bench/data/comments.ndjson, regenerated when missing) and on its
# first tenth, runs three pipelines with one worker, RUNS times each, interleaved in the same
# session: no stages (read, parse, write), [tokenize], and [tokenize, summary]. Prints the
# median wall time of each, the ratio of tokenize + summary to the no-stage pipeline (target:
# at most 2x), summary's own share, and the peak RSS of each at both sizes (target: flat, the
# candidate pool and sketch have a fixed size). Never run as a test.
#
# With REFERENCE set to another build's textpipe binary (e.g. main's, from `git archive main`),
# its [tokenize] and [tokenize, summary] run interleaved with the others too, and the script
# prints summary's own cost (tokenize + summary minus tokenize) of both builds side by side.
#
# Environment: TEXTPIPE (default BUILD_DIR/core/textpipe), RUNS (default 5), BENCH_CORPUS
# (default bench/data/comments.ndjson), REFERENCE (default: none).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/build}
binary=${TEXTPIPE:-$build_dir/core/textpipe}
timed=$build_dir/bench/timed # CPU to the microsecond: GNU time counts 10 ms ticks, more than a no-stage 5 MB run takes
runs=${RUNS:-5}
corpus=${BENCH_CORPUS:-$root/bench/data/comments.ndjson}
work=$root/bench/out/summary-bench
if [[ ! -x $binary ]]; then
  echo "bench_summary: no textpipe binary at $binary (build first: scripts/build)" >&2
  exit 2
fi
if [[ ! -x $timed ]]; then
  echo "bench_summary: no bench/timed at $timed (build first: scripts/build)" >&2
  exit 2
fi
. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"
mkdir -p "$work"
head -c 5000000 "$corpus" | sed '$d' >"$work/small.ndjson" # whole lines only

write_pipeline() { # name stages-json
  printf '{"name": "%s", "input": {"format": "ndjson", "text_field": "text"},\n "stages": %s}\n' \
    "$1" "$2" >"$work/$1.json"
}
write_pipeline none '[]'
write_pipeline tokenize '[{"plugin": "tokenize"}]'
write_pipeline summary '[{"plugin": "tokenize"}, {"plugin": "summary"}]'

if [[ -n ${REFERENCE:-} && ! -x $REFERENCE ]]; then
  echo "bench_summary: REFERENCE=$REFERENCE is not an executable" >&2
  exit 2
fi

python3 - "$binary" "$work" "$runs" "$work/small.ndjson" "$corpus" "${REFERENCE:-}" "$timed" <<'PY'
import os, statistics, subprocess, sys
binary, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
inputs = {"5 MB": sys.argv[4], "50 MB": sys.argv[5]}
reference, timed = sys.argv[6], sys.argv[7]
pipelines = ["none", "tokenize", "summary"] + (["tokenize@ref", "summary@ref"] if reference else [])

def run(pipeline, path):
    """Wall seconds, CPU seconds (user + system) and peak RSS (KiB) of one run (bench/timed)."""
    name, _, build = pipeline.partition("@")
    times = os.path.join(work, "time.txt")
    with open(path, "rb") as stdin:
        proc = subprocess.run([timed, times, reference if build else binary,
                               "run", os.path.join(work, name + ".json"), "--workers", "1"],
                              stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        sys.exit(f"bench_summary: {pipeline} failed:\n" + proc.stderr.decode(errors="replace"))
    with open(times) as lines:
        wall, rss, user, system = lines.read().split()
    return float(wall), float(user) + float(system), int(rss)

results = {}
for size, path in inputs.items():
    times = {p: [] for p in pipelines}
    cpu = {p: [] for p in pipelines}
    peak = {p: 0 for p in pipelines}
    for _ in range(runs):
        for p in pipelines:  # interleaved so that load on the shared machine hits all alike
            seconds, cpu_seconds, rss = run(p, path)
            times[p].append(seconds)
            cpu[p].append(cpu_seconds)
            peak[p] = max(peak[p], rss)
    med = {p: statistics.median(times[p]) for p in pipelines}
    med_cpu = {p: statistics.median(cpu[p]) for p in pipelines}
    results[size] = (med, peak)
    mb = os.path.getsize(path) / 1e6
    print(f"== {size} ({mb:.1f} MB), median of {runs} runs, one worker")
    for p in pipelines:
        print(f"  {p:<12} wall {med[p]:7.3f} s ({mb / med[p]:6.1f} MB/s)  cpu {med_cpu[p]:7.3f} s"
              f"  peak RSS {peak[p] / 1024:6.1f} MiB")
    ratio = med["summary"] / med["none"]
    def cpu_ratio(seconds):
        return f"{seconds / med_cpu['none']:.2f}x" if med_cpu["none"] > 0 else "n/a"
    print(f"  tokenize+summary / no-stage = {ratio:.2f}x wall, {cpu_ratio(med_cpu['summary'])} cpu "
          f"(target <= 2.00x: {'met' if ratio <= 2.0 else 'MISSED'}); summary alone adds "
          f"{med['summary'] - med['tokenize']:.3f} s wall, "
          f"{med_cpu['summary'] - med_cpu['tokenize']:.3f} s cpu over tokenize "
          f"({cpu_ratio(med_cpu['summary'] - med_cpu['tokenize'])} the no-stage cpu)")
    if reference:
        own = med_cpu["summary"] - med_cpu["tokenize"]
        own_ref = med_cpu["summary@ref"] - med_cpu["tokenize@ref"]
        print(f"  summary's own cpu: this build {own:.3f} s, reference {own_ref:.3f} s"
              f" ({own_ref / own:.2f}x less); tokenize+summary wall {med['summary']:.3f} s vs"
              f" {med['summary@ref']:.3f} s" if own > 0 else "  summary's own cpu: n/a")
small, large = results["5 MB"][1], results["50 MB"][1]
print("== peak RSS, 50 MB / 5 MB: " +
      ", ".join(f"{p} {large[p] / small[p]:.2f}x" for p in pipelines if "@" not in p) +
      f"  (summary over tokenize: {(small['summary'] - small['tokenize']) / 1024:.1f} MiB at 5 MB,"
      f" {(large['summary'] - large['tokenize']) / 1024:.1f} MiB at 50 MB)")
PY
