#!/usr/bin/env python3
"""bench/lang/passthrough.py - the pass-through co-process of bench/lang_plugins.sh.

Reads {"id": N, "record": {...}} lines, parses each and answers {"id": N} (no fields). It
reads its input in blocks and flushes its answers once per block, before it waits for more
(the exec protocol's rule). Run alone on the requests file it does the same reading, parsing
and writing with nothing around it: the reference the exec stage is measured against.
"""
import json
import os
import sys


def requests():
    """Yields each request; flushes stdout whenever no more input is at hand."""
    pending = b""
    while True:
        block = os.read(0, 1 << 16)
        if not block:
            return
        lines = (pending + block).split(b"\n")
        pending = lines.pop()
        for line in lines:
            yield json.loads(line)
        sys.stdout.flush()


def main():
    write = sys.stdout.write
    for request in requests():
        write(json.dumps({"id": request["id"]}) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
