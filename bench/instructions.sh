#!/usr/bin/env bash
# bench/instructions.sh [BUILD_DIR] [BYTES] - issues 12 and 13's ratios counted in instructions
# (valgrind --tool=callgrind), one worker, on the first BYTES of the corpus (whole lines;
# default 5000000). A count is the same for the same binary and input whatever else the
# machine runs, so these ratios do not move with a busy neighbour the way the timed ones of
# bench/pipeline_speed.sh and bench/speed_themes.sh do: use them to compare builds and
# sessions. They are not the targets' measure, and read higher than the CPU-time ratios:
# instructions are not time (a cache miss or a mispredicted branch costs time and no
# instructions; plugins/sentiment/README.md), and callgrind counts no kernel work, which is a
# large part of the no-stage pipeline's (reading and writing) and so of every denominator.
#
# Pipelines: no stage (bench/passthrough.json), tokenize, tokenize + sentiment with
# per-sentence scores, tokenize + theme (discovery), tokenize + theme applying a model fitted
# on the same input (model_out, then model; with and without keyphrases), tokenize + theme with
# the default pipeline's taxonomy, tokenize + summary, and pipelines/comments.json; and the
# default pipeline against the sum of its stages run alone. Prints each count and its ratio to
# the no-stage one, and theme's own share ((tokenize + theme - tokenize) / no stage) as
# bench/speed_themes.sh computes it from CPU seconds. On a small input the themes' end-of-stream
# clustering weighs far more than on the whole corpus; pass a larger BYTES for figures nearer
# the 50 MB ones (about 1.5 minutes of callgrind per MB and pipeline).
# Every counted run writes its report (--report): without it the stages skip their
# report-only work (plugin.h host->report_wanted), the theme's clustering above all, and the
# counts would no longer be those of the runs the targets time.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bytes=${2:-5000000}
command -v valgrind >/dev/null || { echo "bench/instructions.sh: needs valgrind" >&2; exit 2; }
[ -x "$build/core/textpipe" ] || { echo "bench/instructions.sh: build $build first" >&2; exit 2; }
corpus=bench/data/comments.ndjson
. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c "$bytes" "$corpus" | sed '$d' >"$work/input.ndjson" # whole lines only
head -n 1 "$corpus" >"$work/one.ndjson"

pipeline() { # pipeline NAME STAGES_JSON: writes $work/NAME.json
  printf '{"name": "%s", "input": {"format": "ndjson", "text_field": "text"}, "stages": %s}\n' \
    "$1" "$2" >"$work/$1.json"
}
pipeline tokenize '[{"plugin": "tokenize"}]'
pipeline sentences '[{"plugin": "tokenize"}, {"plugin": "sentiment", "config": {"sentences": true}}]'
pipeline theme '[{"plugin": "tokenize"}, {"plugin": "theme"}]'
# the default pipeline's theme and summary stages alone after tokenize, configured as it does
pipeline taxonomy "[{\"plugin\": \"tokenize\"}, {\"plugin\": \"theme\", \"config\": {\"taxonomy\": \"$PWD/plugins/theme/themes/public-policy.json\"}}]"
pipeline summary '[{"plugin": "tokenize"}, {"plugin": "summary"}]'
pipeline fit "[{\"plugin\": \"tokenize\"}, {\"plugin\": \"theme\", \"config\": {\"model_out\": \"$work/model.json\"}}]"
pipeline apply "[{\"plugin\": \"tokenize\"}, {\"plugin\": \"theme\", \"config\": {\"model\": \"$work/model.json\"}}]"
pipeline apply0 "[{\"plugin\": \"tokenize\"}, {\"plugin\": \"theme\", \"config\": {\"model\": \"$work/model.json\", \"keyphrases\": 0}}]"
"$build/core/textpipe" run "$work/fit.json" -i "$work/input.ndjson" -o /dev/null --workers 1 -q

count() { # count PIPELINE_FILE: the instructions of a run of it on the input and on one record
  local run
  for input in input one; do
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$build/core/textpipe" run "$1" \
      -i "$work/$input.ndjson" -o /dev/null --workers 1 -q --report "$work/report.json" 2>&1 | awk '/Collected :/ { print $4 }'
  done | paste -sd ' '
}

echo "none $(count bench/passthrough.json)" >"$work/counts"
for name in tokenize sentences theme apply apply0 taxonomy summary; do
  echo "$name $(count "$work/$name.json")" >>"$work/counts"
done
echo "default $(count pipelines/comments.json)" >>"$work/counts"

python3 - "$work/counts" "$(stat -c %s "$work/input.ndjson")" <<'PY'
import sys
# name -> (whole run, run on one record); "beyond start-up" is their difference: the work the
# input itself costs, end of stream included (loading plugins, lexicons, models taken out).
runs = {line.split()[0]: tuple(int(v) for v in line.split()[1:3]) for line in open(sys.argv[1])}
print("first %.1f MB of the corpus, one worker, instructions (callgrind); ratios to the no-stage "
      "pipeline, whole runs and beyond start-up" % (int(sys.argv[2]) / 1e6))
labels = {"none": "no stage", "tokenize": "tokenize", "sentences": "tokenize + sentiment (sentences)",
          "theme": "tokenize + theme (discovery)", "apply": "tokenize + theme (apply a model)",
          "apply0": "the same, keyphrases 0",
          "taxonomy": "tokenize + theme (taxonomy)", "summary": "tokenize + summary",
          "default": "pipelines/comments.json"}
def ratio(name, minus=None, beyond=False):
    value = lambda n: runs[n][0] - (runs[n][1] if beyond else 0)
    return (value(name) - (value(minus) if minus else 0)) / value("none")
for name, label in labels.items():
    whole, one = runs[name]
    print("  %-34s %15s  start-up %13s  %6.2fx  %6.2fx beyond start-up" %
          (label, format(whole, ","), format(one, ","), ratio(name), ratio(name, beyond=True)))
# The default pipeline against the sum of its stages run alone (each beyond tokenize, whole runs):
# what the stages cost together beyond what each costs by itself (issue 13's first question).
alone = runs["tokenize"][0] + sum(runs[n][0] - runs["tokenize"][0]
                                  for n in ("sentences", "taxonomy", "summary"))
print("  %-34s %15s  the default pipeline is %+.1f%% of it" %
      ("sum of the default's stages alone", format(alone, ","),
       100.0 * (runs["default"][0] - alone) / alone))
for label, name, minus, target in (
        ("issue 13: default / no stage", "default", None, 10),
        ("issue 13: tokenize + sentiment / no stage", "sentences", None, 5),
        ("issue 12: theme's own, discovery", "theme", "tokenize", 2),
        ("issue 12: theme's own, apply", "apply", "tokenize", 0.5),
        ("issue 12: theme's own, apply, keyphrases 0", "apply0", "tokenize", 0.5)):
    print("  %-44s %6.2fx, %6.2fx beyond start-up (target <= %gx)" %
          (label, ratio(name, minus), ratio(name, minus, True), target))
PY
