#!/usr/bin/env python3
"""bench/lang/passthrough.py - the pass-through co-process of bench/lang_plugins.sh.

Reads {"id": N, "record": {...}} lines, parses each and answers {"id": N} (no fields), one
flushed line per request. Run alone on the requests file, it does the same reading, parsing
and writing with nothing around it: the reference the exec stage is measured against.
"""
import json
import sys


def main():
    write = sys.stdout.write
    flush = sys.stdout.flush
    for line in sys.stdin:
        request = json.loads(line)
        write(json.dumps({"id": request["id"]}) + "\n")
        flush()


if __name__ == "__main__":
    main()
