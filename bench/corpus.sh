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
