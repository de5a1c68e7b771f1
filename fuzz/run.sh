#!/usr/bin/env bash
# fuzz/run.sh TARGET SECONDS [LIBFUZZER_ARGS...] - builds the libFuzzer targets with clang
# (ASan + UBSan) in build-fuzz/ if needed and runs fuzz-TARGET for SECONDS seconds, starting
# from the seed corpus fuzz/corpus/TARGET and the kept crash inputs fuzz/regressions/TARGET.
# New corpus entries go to build-fuzz/corpus/TARGET (not in git). A crash, leak or sanitizer
# report stops the run, leaves the input in build-fuzz/crashes/ and exits non-zero: copy it to
# fuzz/regressions/TARGET/ once fixed so the test suite replays it.
# TARGET: reader, json_fast, pipeline, tokenize, default, report.  FUZZ_BUILD_DIR overrides build-fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: fuzz/run.sh TARGET SECONDS [LIBFUZZER_ARGS...]" >&2
  exit 2
fi
target=$1
seconds=$2
shift 2
build=${FUZZ_BUILD_DIR:-build-fuzz}
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzzing=true -Dtests=false -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$build" >/dev/null
mkdir -p "$build/corpus/$target" "$build/crashes" "fuzz/regressions/$target"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export TEXTPIPE_PLUGIN_PATH=
echo "== fuzz-$target for $seconds s"
exec "$build/fuzz/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/crashes/$target-" "$@" \
  "$build/corpus/$target" "fuzz/corpus/$target" "fuzz/regressions/$target"
