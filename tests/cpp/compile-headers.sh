#!/usr/bin/env bash
# tests/cpp/compile-headers.sh SOURCE_DIR - the public headers are C++20-clean: builds
# tests/cpp/plugin_cpp20.cpp (a plugin in C++ using every macro of plugin.h / text.h / keys.h)
# with g++ -std=c++20 -Wall -Wextra -Werror -pedantic, then loads it in the built textpipe
# ($TEXTPIPE_BINARY) and runs one record through it after the tokenize stage.
set -euo pipefail
source_dir=$(cd "$1" && pwd)
umask 022 # the loader refuses plugins that group or others can write
work=$(mktemp -d "${TMPDIR:-/tmp}/textpipe-cpp-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() {
  echo "cpp20 test: $*" >&2
  exit 1
}

"${CXX:-g++}" -std=c++20 -Wall -Wextra -Werror -pedantic -fPIC -shared \
  -I"$source_dir/include" $(pkg-config --cflags libcjson) \
  -o "$work/words-cpp.so" "$source_dir/tests/cpp/plugin_cpp20.cpp" ||
  fail "the public headers do not compile as C++20 (see above)"

cat >"$work/pipeline.json" <<'JSON'
{"stages": [{"plugin": "tokenize"}, {"plugin": "words-cpp"}]}
JSON
output=$(echo '{"text": "Two words. And three more!"}' |
  TEXTPIPE_PLUGIN_PATH="$work" "$TEXTPIPE_BINARY" run -q "$work/pipeline.json") ||
  fail "textpipe could not run the C++ plugin"
expected='{"text":"Two words. And three more!","words_cpp":{"words":5,"sentences":2}}'
[ "$output" = "$expected" ] || fail "expected $expected, got $output"
echo "cpp20 test: plugin.h, text.h and keys.h compile as C++20; the plugin runs"
