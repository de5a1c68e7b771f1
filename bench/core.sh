#!/usr/bin/env bash
# bench/core.sh [BUILD_DIR] - the core's speed and memory targets, measured in one run.
#
# 1. Throughput: `textpipe run bench/passthrough.json` (no stages) against bench/cjson_loop (a
#    bare cJSON parse + print loop) on the same 50 MB corpus, alternating, RUNS times each;
#    prints the medians and the ratio (target: textpipe <= 1.3x the loop's time). Measured
#    with the default worker count and with --workers 1.
# 2. Memory: peak RSS of textpipe for a generated stream of 5 MB and of 1 GB piped into it
#    (never stored); target: flat, under 64 MiB.
# The corpus bench/data/comments.ndjson is generated when missing (../shared/eval/make_bench.py).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${RUNS:-5}
big_bytes=${BIG_BYTES:-1000000000}
corpus=bench/data/comments.ndjson

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" >/dev/null
fi
ninja -C "$build" core/textpipe bench/cjson_loop >/dev/null
textpipe=$build/core/textpipe
loop=$build/bench/cjson_loop

. "$(dirname "$0")/corpus.sh"
ensure_corpus "$corpus"
size=$(stat -c %s "$corpus")

# Wall-clock seconds of one command (stdin from the corpus, stdout to /dev/null).
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" <"$corpus" >/dev/null 2>/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }'
}

median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -a loop_times=() tp_times=() tp1_times=()
for _ in $(seq "$runs"); do
  loop_times+=("$(seconds "$loop")")
  tp_times+=("$(seconds "$textpipe" run bench/passthrough.json --quiet)")
  tp1_times+=("$(seconds "$textpipe" run bench/passthrough.json --quiet --workers 1)")
done
loop_median=$(printf '%s\n' "${loop_times[@]}" | median)
tp_median=$(printf '%s\n' "${tp_times[@]}" | median)
tp1_median=$(printf '%s\n' "${tp1_times[@]}" | median)
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
mb=$(calc "$size / 1000000")

echo "throughput on $corpus ($size bytes), median of $runs runs each, same run:"
printf '  cjson_loop                      %6.3f s  %6.1f MB/s\n' "$loop_median" "$(calc "$mb / $loop_median")"
printf '  textpipe (default workers: %s)   %6.3f s  %6.1f MB/s  ratio %.2fx (target <= 1.30x)\n' \
  "$(nproc)" "$tp_median" "$(calc "$mb / $tp_median")" "$(calc "$tp_median / $loop_median")"
printf '  textpipe --workers 1            %6.3f s  %6.1f MB/s  ratio %.2fx (target <= 1.30x)\n' \
  "$tp1_median" "$(calc "$mb / $tp1_median")" "$(calc "$tp1_median / $loop_median")"

# Peak RSS (KiB) of textpipe reading `bytes` of generated NDJSON from a pipe.
peak_rss() {
  local bytes=$1 report
  report=$(mktemp)
  python3 bench/stream_gen.py --corpus "$corpus" --bytes "$bytes" |
    /usr/bin/time -f %M -o "$report" "$textpipe" run bench/passthrough.json --quiet >/dev/null
  cat "$report"
  rm -f "$report"
}

small_kib=$(peak_rss 5000000)
big_kib=$(peak_rss "$big_bytes")
echo "peak RSS, stream piped in (target: flat, < 65536 KiB):"
printf '  5 MB:  %6d KiB\n' "$small_kib"
printf '  %d MB: %6d KiB\n' "$((big_bytes / 1000000))" "$big_kib"
