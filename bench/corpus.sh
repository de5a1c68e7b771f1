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
