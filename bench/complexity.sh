#!/usr/bin/env bash
# bench/complexity.sh [BYTES] - the complexity table of docs/robustness.md: every pathological
# record shape of tests/complexity/complexity.py through each built-in stage alone (after
# tokenize) and the default pipeline, plus `report` on a timeline and `check` on many keys,
# with the size N and the CPU seconds (user + system, best of up to 3) at N and 4N.
# BYTES is the smallest N (default 65536; N doubles until the work is measurable).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build build >&2
TEXTPIPE_PLUGIN_PATH= python3 tests/complexity/complexity.py build/core/textpipe . --stages \
  --table --bytes "${1:-65536}"
