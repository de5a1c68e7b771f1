#!/usr/bin/env bash
# bench/eval_themes.sh [SEED...] - discovery quality of the theme plugin on Opinosis.
#
# Streams every sentence of the 34 Opinosis topics (../shared/eval/opinosis/opinosis.ndjson)
# as records {"id": "<topic>#<index>", "text": ...}, shuffled with a fixed seed, through
# `textpipe run` with [tokenize, theme {"themes": 34, "members": true}], turns the report's
# discovered members into {"id", "cluster"} lines and scores them with
# ../shared/eval/tools/score_themes.py (NMI, ARI, purity). Prints one line per seed and the
# median NMI against the 0.68 target; exits 1 when the median misses it.
#
# Environment: EVAL_DATA (the shared eval folder; default: the first shared/eval beside the
# repository or a parent), BUILD (build folder, default build), WORKERS (default 1), SHUFFLE (the shuffle's
# seed, default 20100823), TOPICS (all, even or odd: every topic, or every other one in file
# order, with "themes" set to their number - a check that nothing is tuned to the 34), TOKENIZE_PLUGIN
# (default tokenize; theme-tokens with TEXTPIPE_PLUGIN_PATH=build/tests/plugins/theme runs the
# test stand-in instead), KEEP (a folder to keep the files in).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${BUILD:-build}
workers=${WORKERS:-1}
tokenize=${TOKENIZE_PLUGIN:-tokenize}
target=0.68
eval_dir=${EVAL_DATA:-}
if [ -z "$eval_dir" ]; then # the first shared/eval beside the repository or one of its parents
  folder=$root
  while [ "$folder" != / ] && [ -z "$eval_dir" ]; do
    folder=$(dirname "$folder")
    [ -d "$folder/shared/eval" ] && eval_dir="$folder/shared/eval"
  done
fi
[ -n "$eval_dir" ] || { echo "eval_themes: no shared/eval folder found: set EVAL_DATA" >&2; exit 2; }
gold="$eval_dir/opinosis/opinosis.ndjson"
scorer="$eval_dir/tools/score_themes.py"
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(42)

[ -x "$build/core/textpipe" ] || ninja -C "$build" >/dev/null
work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

topics=${TOPICS:-all}
python3 - "$gold" "$work/records.ndjson" "$work/gold.ndjson" "${SHUFFLE:-20100823}" "$topics" <<'PY'
import json, random, sys
items, gold = [], []
with open(sys.argv[1], encoding="utf-8") as fh:
    for number, line in enumerate(fh):
        if sys.argv[5] == "even" and number % 2 or sys.argv[5] == "odd" and not number % 2:
            continue
        gold.append(line)
        topic = json.loads(line)
        for index, sentence in enumerate(topic["sentences"]):
            items.append({"id": "%s#%d" % (topic["topic"], index), "text": sentence})
random.Random(int(sys.argv[4])).shuffle(items)  # a fixed shuffle: input order matters online
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for item in items:
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
with open(sys.argv[3], "w", encoding="utf-8") as out:
    out.writelines(gold)
PY
themes=$(wc -l <"$work/gold.ndjson")
gold="$work/gold.ndjson"

nmis=()
for seed in "${seeds[@]}"; do
  cat >"$work/pipeline.json" <<JSON
{"name": "eval-themes", "stages": [
  {"plugin": "$tokenize"},
  {"plugin": "theme", "config": {"themes": $themes, "members": true, "seed": $seed}}]}
JSON
  "$build/core/textpipe" run "$work/pipeline.json" --workers "$workers" \
    --report "$work/report-$seed.json" <"$work/records.ndjson" >/dev/null
  python3 - "$work/report-$seed.json" "$work/system-$seed.ndjson" <<'PY'
import json, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for theme in report["sections"]["theme"]["discovered"]:
        for member in theme["members"]:
            out.write(json.dumps({"id": member, "cluster": theme["id"]}) + "\n")
PY
  line=$(python3 "$scorer" "$gold" "$work/system-$seed.ndjson" --json --name "seed $seed")
  nmi=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["nmi"])' "$line")
  python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print("seed %-6s NMI %.4f  ARI %.4f  purity %.4f  clusters %d  missing %d" % (sys.argv[2], s["nmi"], s["ari"], s["purity"], s["clusters"], s["missing"]))' "$line" "$seed"
  nmis+=("$nmi")
done
python3 - "$target" "${nmis[@]}" <<'PY'
import statistics, sys
target = float(sys.argv[1]); values = [float(v) for v in sys.argv[2:]]
median = statistics.median(values)
verdict = "meets" if median >= target else "MISSES"
print("median NMI %.4f over %d seed(s): %s the %.2f target" % (median, len(values), verdict, target))
sys.exit(0 if median >= target else 1)
PY
