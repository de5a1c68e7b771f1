#!/usr/bin/env bash
# bench/speed_themes.sh [RUNS] - speed and memory of the theme stage on the 50 MB corpus.
#
# Runs, alternating, RUNS times each (default 5) on bench/data/comments.ndjson (regenerated
# with ../shared/eval/make_bench.py when missing), one worker:
#   none      the no-stage pipeline (parse + write)
#   tokenize  [tokenize]
#   theme     [tokenize, theme] with theme's defaults (discovery on, 5 keyphrases)
#   apply     [tokenize, theme {"model": M}], M fitted (model_out) on the first 5 MB
#   apply0    the same with {"keyphrases": 0} (terms only)
# and prints median wall and CPU (user + system) seconds, MB/s and peak RSS of each (timed to
# the microsecond by bench/timed.c: GNU time's 0.01 s CPU was a sixth of a no-stage run), and
# the theme stage's own CPU against the no-stage pipeline's: (theme - tokenize) / none, target at
# most 2.0 in discovery and at most 0.5 in apply mode; also theme / none in wall time and the
# stages' own process() seconds from the report. Memory: peak RSS of the theme pipeline on the
# first 5 MB of the corpus against the whole 50 MB (flat when the ratio is near 1), and with
# BIG=1 against the corpus streamed 20 times (1 GB, one run).
# Every timed run writes its report (--report, into the temporary folder): without --report
# the theme stage skips its end-of-stream re-clustering (plugin.h host->report_wanted), and
# the figures measure the stage with it, as they always have.
# Environment: BUILD (default build), TOKENIZE_PLUGIN (default tokenize), BIG.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
tokenize=${TOKENIZE_PLUGIN:-tokenize}
runs=${1:-5}
corpus=bench/data/comments.ndjson
. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"
[ -x "$build/core/textpipe" ] || ninja -C "$build" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{"name": "none", "stages": []}' >"$work/none.json"
echo "{\"name\": \"tokenize\", \"stages\": [{\"plugin\": \"$tokenize\"}]}" >"$work/tokenize.json"
echo "{\"name\": \"theme\", \"stages\": [{\"plugin\": \"$tokenize\"}, {\"plugin\": \"theme\"}]}" \
  >"$work/theme.json"
head -c 5000000 "$corpus" | sed '$d' >"$work/small.ndjson" # whole lines only
echo "{\"name\": \"fit\", \"stages\": [{\"plugin\": \"$tokenize\"}, {\"plugin\": \"theme\", \"config\": {\"model_out\": \"$work/model.json\"}}]}" \
  >"$work/fit.json"
"$build/core/textpipe" run "$work/fit.json" --quiet <"$work/small.ndjson" >/dev/null
echo "{\"name\": \"apply\", \"stages\": [{\"plugin\": \"$tokenize\"}, {\"plugin\": \"theme\", \"config\": {\"model\": \"$work/model.json\"}}]}" \
  >"$work/apply.json"
echo "{\"name\": \"apply0\", \"stages\": [{\"plugin\": \"$tokenize\"}, {\"plugin\": \"theme\", \"config\": {\"model\": \"$work/model.json\", \"keyphrases\": 0}}]}" \
  >"$work/apply0.json"

measure() { # measure NAME INPUT -> appends "seconds rss_kb" to $work/NAME.times
  "$build/bench/timed" "$work/time.txt" \
    "$build/core/textpipe" run "$work/$1.json" --workers 1 --quiet --report "$work/$1.report" \
    <"$2" >/dev/null
  cat "$work/time.txt" >>"$work/$1.times"
  python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (s["id"], s["seconds"]) for s in r["stages"]))' "$work/$1.report" \
    >>"$work/$1.stages"
}

for _ in $(seq "$runs"); do
  for name in none tokenize theme apply apply0; do
    measure "$name" "$corpus"
  done
done
cp "$work/theme.times" "$work/theme-full.times"
cp "$work/theme.stages" "$work/theme-full.stages"
: >"$work/theme.times"
for _ in $(seq "$runs"); do
  measure theme "$work/small.ndjson"
done
mv "$work/theme.times" "$work/theme-small.times"
mv "$work/theme-full.times" "$work/theme.times"
mv "$work/theme-full.stages" "$work/theme.stages"
: >"$work/theme-big.times"
if [ -n "${BIG:-}" ]; then
  "$build/bench/timed" "$work/theme-big.times" \
    "$build/core/textpipe" run "$work/theme.json" --workers 1 --quiet --report "$work/big.report" \
    < <(for _ in $(seq 20); do cat "$corpus"; done) >/dev/null
fi

python3 - "$work" "$(stat -L -c %s "$corpus")" "$runs" <<'PY'
import statistics, sys
work, size, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def load(name):
    rows = [line.split() for line in open("%s/%s.times" % (work, name)) if line.strip()]
    if not rows:
        return None
    return (statistics.median(float(r[0]) for r in rows), max(int(r[1]) for r in rows),
            statistics.median(float(r[2]) + float(r[3]) for r in rows))
results = {name: load(name) for name in ("none", "tokenize", "theme", "apply", "apply0", "theme-small", "theme-big")}
print("corpus %.1f MB, %s runs each, medians, one worker" % (size / 1e6, runs))
for name in ("none", "tokenize", "theme", "apply", "apply0"):
    seconds, rss, cpu = results[name]
    print("  %-9s %7.3f s wall  %7.3f s CPU  %6.1f MB/s  peak RSS %7.1f MB" % (name, seconds, cpu, size / 1e6 / seconds, rss / 1024))
none_cpu, tokenize_cpu = results["none"][2], results["tokenize"][2]
for name, target in (("theme", 2.0), ("apply", 0.5), ("apply0", 0.5)):
    own = (results[name][2] - tokenize_cpu) / none_cpu
    label = {"theme": "discovery", "apply": "apply", "apply0": "apply, keyphrases 0"}[name]
    print("%s: theme's own CPU / no-stage CPU = (%.3f - %.3f) / %.3f = %.2fx (target <= %.2fx: %s)"
          % (label, results[name][2], tokenize_cpu, none_cpu,
             own, target, "meets" if own <= target else "MISSES"))
print("tokenize+theme / none, wall: %.2fx" % (results["theme"][0] / results["none"][0]))
stages = {}
for line in open("%s/theme.stages" % work):
    for pair in line.split():
        name, seconds = pair.split("=")
        stages.setdefault(name, []).append(float(seconds))
print("process() seconds in the tokenize+theme runs (report, medians): " +
      ", ".join("%s %.3f s" % (name, statistics.median(v)) for name, v in stages.items()))
small, full = results["theme-small"][1], results["theme"][1]
print("peak RSS of tokenize+theme: %.1f MB on 5 MB, %.1f MB on 50 MB (x%.2f)" % (small / 1024, full / 1024, full / small))
if results["theme-big"]:
    big = results["theme-big"][1]
    print("peak RSS of tokenize+theme on 1 GB (the corpus 20 times): %.1f MB (x%.2f of 5 MB), %.1f s wall"
          % (big / 1024, big / small, results["theme-big"][0]))
PY
