#!/usr/bin/env bash
# bench/lua_vm.sh - why the lua stage uses Lua 5.4: the hot path (call process(record), read
# the text or its length, set one number) per call on Lua 5.4, LuaJIT with the JIT on, and
# LuaJIT with the JIT off, and whether an instruction budget stops an infinite loop on each.
# Needs libluajit-5.1-dev besides liblua5.4-dev (installed here through scripts/setup).
set -euo pipefail
cd "$(dirname "$0")/.."
TEXTPIPE_SETUP_EXTRA="libluajit-5.1-dev" scripts/setup
out=bench/out/lang
mkdir -p "$out"
cc -O2 -o "$out/lua_vm_54" bench/lang/lua_vm_call.c $(pkg-config --cflags --libs lua5.4)
cc -O2 -DLUA_VM_LUAJIT -o "$out/lua_vm_jit" bench/lang/lua_vm_call.c \
  $(pkg-config --cflags --libs luajit)
echo "Lua 5.4:"
"$out/lua_vm_54"
echo "LuaJIT, JIT on:"
"$out/lua_vm_jit" jit-on
echo "LuaJIT, JIT off:"
"$out/lua_vm_jit" jit-off
# Instructions per call (noise-free): callgrind over 100000 calls of each function.
if command -v valgrind >/dev/null; then
  echo "instructions per call (callgrind, 100000 calls of each function, whole program / 200000):"
  for vm in "54 jit-off" "jit jit-on" "jit jit-off"; do
    set -- $vm
    total=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$out/lua_vm_$1" "$2" 100000 2>&1 |
      awk '/Collected/ { print $4 }')
    printf '  %-14s %6d\n' "lua_vm_$1 $2" "$((total / 200000))"
  done
fi
