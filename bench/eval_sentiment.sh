#!/usr/bin/env bash
# bench/eval_sentiment.sh [BUILD_DIR] - accuracy of the sentiment stage on the shared evaluation
# sets, through the real binary: `textpipe run pipelines/sentiment.json` (tokenize + sentiment)
# over each set, scored by ../shared/eval/tools/score_sentiment.py on sentiment.compound.
# Prints one table: each figure, its target (issue 4), VADER's and the best peer's figure
# (../shared/eval/README.md). Exits 1 if any target is missed. Outputs go to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
eval_dir=../shared/eval
out=bench/out/sentiment_eval
mkdir -p "$out"
textpipe="$build/core/textpipe"
[ -x "$textpipe" ] || { echo "eval_sentiment: build first (no $textpipe)" >&2; exit 2; }

# name | gold file | metric | target | VADER (JS port) | best peer
sets=(
  "tweets|vader_icwsm2014/tweets_GroundTruth.ndjson|pearson_r|0.89|0.879|0.879"
  "movie|vader_icwsm2014/movieReviewSnippets_GroundTruth.ndjson|pearson_r|0.46|0.418|0.439"
  "amazon|vader_icwsm2014/amazonReviewSnippets_GroundTruth.ndjson|pearson_r|0.60|0.572|0.572"
  "uci_amazon_cells|uci_sentiment_labelled/amazon_cells_labelled.ndjson|accuracy|0.79|0.678|0.764"
  "uci_imdb|uci_sentiment_labelled/imdb_labelled.ndjson|accuracy|0.76|0.691|0.730"
)
for entry in "${sets[@]}"; do
  IFS='|' read -r name gold metric target vader peer <<<"$entry"
  "$textpipe" run pipelines/sentiment.json --quiet --report "$out/$name.report.json" \
    <"$eval_dir/$gold" >"$out/$name.ndjson"
  python3 "$eval_dir/tools/score_sentiment.py" "$eval_dir/$gold" "$out/$name.ndjson" \
    --field sentiment.compound --json >"$out/$name.score.json"
done

python3 - "$out" "${sets[@]}" <<'PY'
import json, sys
out, sets = sys.argv[1], sys.argv[2:]
print("%-17s %-10s %8s %8s %8s %8s  %s" % ("set", "metric", "ours", "target", "VADER", "best", "result"))
missed = 0
for entry in sets:
    name, gold, metric, target, vader, peer = entry.split("|")
    score = json.load(open("%s/%s.score.json" % (out, name)))
    value = score[metric]
    ok = value >= float(target)
    missed += not ok
    print("%-17s %-10s %8.3f %8s %8s %8s  %s%s" % (name, metric, value, ">=" + target, vader, peer,
          "met" if ok else "MISSED", "" if not score.get("missing") else
          " (%d records missing)" % score["missing"]))
print("%d of %d targets met" % (len(sets) - missed, len(sets)))
sys.exit(1 if missed else 0)
PY
