#!/usr/bin/env bash
# bench/speed_themes.sh [RUNS] - speed and memory of the theme stage on the 50 MB corpus.
#
# Runs, alternating, RUNS times each (default 5) on bench/data/comments.ndjson (regenerated
# with ../shared/eval/make_bench.py when missing), one worker:
#   none      the no-stage pipeline (parse + write)
#   tokenize  [tokenize]
#   theme     [tokenize, theme] with theme's defaults (discovery on, 5 keyphrases)
# and prints median wall seconds, MB/s and peak RSS of each, the ratio theme / none (target:
# at most 2.0), theme / tokenize and the stages' own process() seconds from the report (less
# disturbed by other load than wall time). Memory: peak RSS of the theme pipeline on the first 5 MB
# of the corpus against the whole 50 MB (flat when the ratio is near 1).
# Environment: BUILD (default build), TOKENIZE_PLUGIN (default tokenize).
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

measure() { # measure NAME INPUT -> appends "seconds rss_kb" to $work/NAME.times
  /usr/bin/time -f "%e %M" -o "$work/time.txt" \
    "$build/core/textpipe" run "$work/$1.json" --workers 1 --quiet --report "$work/$1.report" \
    <"$2" >/dev/null
  cat "$work/time.txt" >>"$work/$1.times"
  python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (s["id"], s["seconds"]) for s in r["stages"]))' "$work/$1.report" \
    >>"$work/$1.stages"
}

for _ in $(seq "$runs"); do
  for name in none tokenize theme; do
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

python3 - "$work" "$(stat -L -c %s "$corpus")" "$runs" <<'PY'
import statistics, sys
work, size, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def load(name):
    rows = [line.split() for line in open("%s/%s.times" % (work, name)) if line.strip()]
    return statistics.median(float(r[0]) for r in rows), max(int(r[1]) for r in rows)
results = {name: load(name) for name in ("none", "tokenize", "theme", "theme-small")}
print("corpus %.1f MB, %s runs each, medians, one worker" % (size / 1e6, runs))
for name in ("none", "tokenize", "theme"):
    seconds, rss = results[name]
    print("  %-9s %7.3f s  %6.1f MB/s  peak RSS %7.1f MB" % (name, seconds, size / 1e6 / seconds, rss / 1024))
ratio = results["theme"][0] / results["none"][0]
print("tokenize+theme / none: %.2fx (target <= 2.00x: %s)" % (ratio, "meets" if ratio <= 2.0 else "MISSES"))
print("tokenize+theme / tokenize: %.2fx (the theme stage's own share)" % (results["theme"][0] / results["tokenize"][0]))
stages = {}
for line in open("%s/theme.stages" % work):
    for pair in line.split():
        name, seconds = pair.split("=")
        stages.setdefault(name, []).append(float(seconds))
print("process() seconds in the tokenize+theme runs (report, medians): " +
      ", ".join("%s %.3f s" % (name, statistics.median(v)) for name, v in stages.items()))
small, full = results["theme-small"][1], results["theme"][1]
print("peak RSS of tokenize+theme: %.1f MB on 5 MB, %.1f MB on 50 MB (x%.2f)" % (small / 1024, full / 1024, full / small))
PY
