#!/usr/bin/env bash
# bench/eval_summary.sh [BUILD_DIR] - ROUGE of the summary plugin's digest on Opinosis.
#
# For each topic of ../shared/eval/opinosis/opinosis.ndjson, its sentences are streamed as
# records {"id": n, "text": sentence} through the real binary with the pipeline
# [tokenize, summary] (default configuration) and --report; the first 2 sentences of the
# report's "summary"."digest" are the topic's summary. The system file is scored with
# ../shared/eval/tools/rouge.py (no stemming, macro over topics) and compared with the targets
# of issue 6. Prints the table; exits 1 when a target is missed, 2 on a run failure.
#
# Environment: TEXTPIPE (the binary; default BUILD_DIR/core/textpipe), EVAL_DIR (default
# ../shared/eval beside the repository), OUT_DIR (default bench/out/summary-eval).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/build}
binary=${TEXTPIPE:-$build_dir/core/textpipe}
eval_dir=${EVAL_DIR:-$root/../shared/eval}
out_dir=${OUT_DIR:-$root/bench/out/summary-eval}
if [[ ! -x $binary ]]; then
  echo "eval_summary: no textpipe binary at $binary (build first: scripts/build)" >&2
  exit 2
fi
mkdir -p "$out_dir"
cat >"$out_dir/pipeline.json" <<'JSON'
{
  "name": "summary-eval",
  "description": "Opinosis evaluation: tokenize, then summary with its default configuration.",
  "input": {"format": "ndjson", "text_field": "text"},
  "stages": [{"plugin": "tokenize"}, {"plugin": "summary"}],
  "on_error": "stop"
}
JSON

python3 - "$binary" "$eval_dir" "$out_dir" <<'PY' || exit 2
import json, os, subprocess, sys
binary, eval_dir, out_dir = sys.argv[1:4]
dataset = os.path.join(eval_dir, "opinosis", "opinosis.ndjson")
system_path = os.path.join(out_dir, "system.ndjson")
with open(dataset, encoding="utf-8") as f, open(system_path, "w", encoding="utf-8") as out:
    for line in f:
        topic = json.loads(line)
        records = "".join(json.dumps({"id": i + 1, "text": s}) + "\n"
                          for i, s in enumerate(topic["sentences"]))
        report_path = os.path.join(out_dir, "report.json")
        run = subprocess.run([binary, "run", os.path.join(out_dir, "pipeline.json"),
                              "--report", report_path], input=records.encode(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if run.returncode != 0:
            sys.stderr.write(run.stderr.decode(errors="replace"))
            sys.exit(f"eval_summary: textpipe failed on topic {topic['topic']}")
        with open(report_path, encoding="utf-8") as r:
            digest = json.load(r)["sections"]["summary"]["digest"]
        summary = " ".join(entry["text"] for entry in digest[:2])
        out.write(json.dumps({"topic": topic["topic"], "summary": summary}) + "\n")
print(f"system summaries: {system_path}")
PY

python3 "$eval_dir/tools/rouge.py" "$eval_dir/opinosis/opinosis.ndjson" \
  "$out_dir/system.ndjson" --json --bootstrap 1000 >"$out_dir/rouge.json"
python3 - "$out_dir/rouge.json" <<'PY'
import json, sys
scores = json.load(open(sys.argv[1]))
targets = {"ROUGE-1": 0.30, "ROUGE-2": 0.08, "ROUGE-SU4": 0.115}
reference = {"TF-IDF centroid": (.281, .070, .105), "TextRank": (.263, .074, .102),
             "human vs humans": (.293, .100, .129)}
print(f"topics {scores['topics']}, missing {scores['missing']}, "
      f"mean summary words {scores['mean_words']}")
print(f"{'metric':<10} {'R':>7} {'P':>7} {'F':>7} {'F 95% CI (topics)':>18} {'target F':>9}  result")
missed = 0
for metric, target in targets.items():
    m = scores[metric]
    ok = m["F"] >= target
    missed += not ok
    low, high = m.get("F_ci95", (float("nan"), float("nan")))
    print(f"{metric:<10} {m['R']:7.4f} {m['P']:7.4f} {m['F']:7.4f}   [{low:.4f}, {high:.4f}] "
          f"{target:9.3f}  {'met' if ok else 'MISSED'}")
for name, (r1, r2, su4) in reference.items():
    print(f"  for comparison, {name}: {r1:.3f} / {r2:.3f} / {su4:.3f}")
sys.exit(1 if missed else 0)
PY
