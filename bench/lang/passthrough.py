#!/usr/bin/env python3
"""bench/lang/passthrough.py - the pass-through co-process of bench/lang_plugins.sh.

Reads {"id": N, "record": {...}} lines, parses each and answers {"id": N} (no fields). It
reads its input in blocks and writes and flushes a block's answers at once, before it waits
for more (the exec protocol's rule). Run alone on the requests file it does the same reading,
parsing and writing with nothing around it: the reference the exec stage is measured against.
"""
import json
import os
import sys


def blocks():
    """Yields the requests of each block of input, as a list."""
    pending = b""
    while True:
        block = os.read(0, 1 << 16)
        if not block:
            return
        lines = (pending + block).split(b"\n")
        pending = lines.pop()
        yield [json.loads(line) for line in lines]


def main():
    for requests in blocks():
        # One write per block, flushed before the next read (even under PYTHONUNBUFFERED).
        sys.stdout.write("".join(json.dumps({"id": request["id"]}) + "\n" for request in requests))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
