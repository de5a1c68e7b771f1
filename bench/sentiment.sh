#!/usr/bin/env bash
# bench/sentiment.sh [BUILD_DIR] [RUNS] - speed and memory of the sentiment stage on the 50 MB
# bench corpus, one worker. In the same run, interleaved, it times: a no-stage pipeline (the
# reference), tokenize alone, tokenize + sentiment, and tokenize + sentiment with per-sentence
# scores ("sentences": true, as pipelines/comments.json runs it); it prints the median of RUNS
# (default 5) runs of each (wall and CPU seconds), MB/s, the ratio (tokenize + sentiment) /
# no-stage (target: <= 2.0) and sentiment's own time (the difference to tokenize alone). Memory:
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
. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"
head -c 5000000 "$corpus" | sed '$d' >"$out/first5mb.ndjson"

write_pipeline() { # name, stages JSON
  printf '{"name": "%s", "input": {"format": "ndjson", "text_field": "text"}, "stages": %s}\n' \
    "$1" "$2" >"$out/$1.json"
}
write_pipeline none '[]'
write_pipeline tokenize '[{"plugin": "tokenize"}]'
write_pipeline tokenize_sentiment '[{"plugin": "tokenize"}, {"plugin": "sentiment"}]'
write_pipeline tokenize_sentences \
  '[{"plugin": "tokenize"}, {"plugin": "sentiment", "config": {"sentences": true}}]'

python3 - "$build/core/textpipe" "$out" "$corpus" "$runs" <<'PY'
import os, statistics, subprocess, sys, time
textpipe, out, corpus, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
size_mb = os.path.getsize(corpus) / 1e6

def run(pipeline, path):
    """Runs one pipeline over `path`; returns (seconds, peak RSS in MB, CPU seconds)."""
    with open(path, "rb") as stdin, open(os.devnull, "wb") as stdout:
        start = time.perf_counter()
        child = subprocess.Popen([textpipe, "run", "%s/%s.json" % (out, pipeline), "--workers",
                                  "1", "--quiet"], stdin=stdin, stdout=stdout)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    if status != 0:
        sys.exit("bench/sentiment.sh: %s exited with status %d" % (pipeline, status))
    return seconds, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime

names = ["none", "tokenize", "tokenize_sentiment", "tokenize_sentences"]
times = {name: [] for name in names}
cpu = {name: [] for name in names}
for _ in range(runs):
    for name in names:
        seconds, _, cpu_seconds = run(name, corpus)
        times[name].append(seconds)
        cpu[name].append(cpu_seconds)
median = {name: statistics.median(values) for name, values in times.items()}
median_cpu = {name: statistics.median(values) for name, values in cpu.items()}
print("corpus: %s (%.1f MB), %d runs each, one worker, medians" % (corpus, size_mb, runs))
for name in names:
    print("  %-20s %7.3f s (cpu %.3f s)  %6.1f MB/s   runs: %s" %
          (name, median[name], median_cpu[name], size_mb / median[name],
           " ".join("%.3f" % t for t in times[name])))
ratio = median["tokenize_sentiment"] / median["none"]
print("ratio tokenize+sentiment / no-stage: %.2f (target <= 2.0: %s); with sentences: %.2f" %
      (ratio, "met" if ratio <= 2.0 else "MISSED", median["tokenize_sentences"] / median["none"]))
for name, label in (("tokenize_sentiment", "sentiment alone"),
                    ("tokenize_sentences", "sentiment with sentences alone")):
    own, own_cpu = median[name] - median["tokenize"], median_cpu[name] - median_cpu["tokenize"]
    print("%s (minus tokenize): %.3f s wall, %.3f s cpu, %.0f MB/s" %
          (label, own, own_cpu, size_mb / max(own, 1e-9)))
small = run("tokenize_sentiment", "%s/first5mb.ndjson" % out)[1]
large = run("tokenize_sentiment", corpus)[1]
print("peak RSS tokenize+sentiment: %.1f MB on 5 MB, %.1f MB on %.0f MB" % (small, large, size_mb))
PY
