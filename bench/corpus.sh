# bench/corpus.sh - sourced by the bench scripts: the throughput corpus, made when missing.
#
# ensure_corpus PATH: writes the 50 MB corpus (../shared/eval/make_bench.py, deterministic) to
# PATH when the file is missing or empty; the generator's messages go to stderr, so a script's
# standard output stays its table of figures.
ensure_corpus() {
  if [ ! -s "$1" ]; then
    mkdir -p "$(dirname "$1")"
    echo "building $1 ..." >&2
    python3 "$(dirname "${BASH_SOURCE[0]}")/../../shared/eval/make_bench.py" --out "$1" >&2
  fi
}

# write_peer_inputs CORPUS FOLDER: what issue 13's peer figures are measured on
# (bench/pipeline_speed.sh, bench/output_floor.sh): FOLDER/first5mb.ndjson, the corpus' first
# 5 MB in whole lines, and FOLDER/tokenize_sentences.json, tokenize + sentiment with
# per-sentence scores.
write_peer_inputs() {
  head -c 5000000 "$1" | sed '$d' >"$2/first5mb.ndjson"
  printf '%s\n' '{"name": "tokenize_sentences", "input": {"format": "ndjson", "text_field": "text"},' \
    ' "stages": [{"plugin": "tokenize"}, {"plugin": "sentiment", "config": {"sentences": true}}]}' \
    >"$2/tokenize_sentences.json"
}

# write_halves CORPUS FOLDER: FOLDER/half1.ndjson and FOLDER/half2.ndjson, the corpus in two
# files of whole lines, the first ending with the line that crosses the middle byte. The
# machine's ceiling for two workers or two consumers is measured on them: two one-worker runs
# started together, one on each half, sharing nothing (bench/pipeline_speed.sh, bench/redis.sh).
write_halves() {
  local size middle cut
  size=$(stat -c %s "$1")
  middle=$((size / 2))
  # head stops reading after one line: tail's SIGPIPE is expected, so no pipefail here.
  cut=$((middle + $(set +o pipefail; tail -c +$((middle + 1)) "$1" | head -n 1 | wc -c)))
  head -c "$cut" "$1" >"$2/half1.ndjson"
  tail -c +$((cut + 1)) "$1" >"$2/half2.ndjson"
}
