#!/usr/bin/env bash
# bench/sentiment.sh [BUILD_DIR] [RUNS] - speed and memory of the sentiment stage on the 50 MB
# bench corpus, one worker. In the same run, interleaved, it times: a no-stage pipeline (the
# reference), tokenize alone, and tokenize + sentiment; it prints the median of RUNS (default 5)
# runs of each, MB/s, and the ratio (tokenize + sentiment) / no-stage (target: <= 2.0). Memory:
# peak RSS of tokenize + sentiment on the first 5 MB and on the whole 50 MB (flat = about equal).
# The corpus is regenerated with ../shared/eval/make_bench.py when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-5}
corpus=bench/data/comments.ndjson
out=bench/out/sentiment_bench
mkdir -p "$out" bench/data
[ -x "$build/core/textpipe" ] || { echo "bench/sentiment.sh: build first" >&2; exit 2; }
if [ ! -s "$corpus" ]; then
  python3 ../shared/eval/make_bench.py --out "$corpus"
fi
head -c 5000000 "$corpus" | sed '$d' >"$out/first5mb.ndjson"

write_pipeline() { # name, stages JSON
  printf '{"name": "%s", "input": {"format": "ndjson", "text_field": "text"}, "stages": %s}\n' \
    "$1" "$2" >"$out/$1.json"
}
write_pipeline none '[]'
write_pipeline tokenize '[{"plugin": "tokenize"}]'
write_pipeline tokenize_sentiment '[{"plugin": "tokenize"}, {"plugin": "sentiment"}]'

python3 - "$build/core/textpipe" "$out" "$corpus" "$runs" <<'PY'
import os, statistics, subprocess, sys, time
textpipe, out, corpus, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
size_mb = os.path.getsize(corpus) / 1e6

def run(pipeline, path):
    """Runs one pipeline over `path`; returns (seconds, peak RSS in MB)."""
    with open(path, "rb") as stdin, open(os.devnull, "wb") as stdout:
        start = time.perf_counter()
        child = subprocess.Popen([textpipe, "run", "%s/%s.json" % (out, pipeline), "--workers",
                                  "1", "--quiet"], stdin=stdin, stdout=stdout)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    if status != 0:
        sys.exit("bench/sentiment.sh: %s exited with status %d" % (pipeline, status))
    return seconds, usage.ru_maxrss / 1024.0

names = ["none", "tokenize", "tokenize_sentiment"]
times = {name: [] for name in names}
for _ in range(runs):
    for name in names:
        times[name].append(run(name, corpus)[0])
median = {name: statistics.median(values) for name, values in times.items()}
print("corpus: %s (%.1f MB), %d runs each, one worker, medians" % (corpus, size_mb, runs))
for name in names:
    print("  %-20s %7.3f s  %6.1f MB/s   runs: %s" % (name, median[name], size_mb / median[name],
          " ".join("%.3f" % t for t in times[name])))
ratio = median["tokenize_sentiment"] / median["none"]
print("ratio tokenize+sentiment / no-stage: %.2f (target <= 2.0: %s)" %
      (ratio, "met" if ratio <= 2.0 else "MISSED"))
print("sentiment alone (tokenize+sentiment - tokenize): %.3f s, %.0f MB/s" %
      (median["tokenize_sentiment"] - median["tokenize"],
       size_mb / max(median["tokenize_sentiment"] - median["tokenize"], 1e-9)))
small = run("tokenize_sentiment", "%s/first5mb.ndjson" % out)[1]
large = run("tokenize_sentiment", corpus)[1]
print("peak RSS tokenize+sentiment: %.1f MB on 5 MB, %.1f MB on %.0f MB" % (small, large, size_mb))
PY
