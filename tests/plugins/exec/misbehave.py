#!/usr/bin/env python3
"""tests/plugins/exec/misbehave.py MODE - an exec co-process that misbehaves on purpose.

It answers every request like a correct child ({"id": N, "fields": {"seen": true}}), except
for the record whose text is the MODE's trigger word, where it does what MODE says. Used by
test_exec.c, one pipeline per MODE. MODE "echo" is a correct child that answers with the
record as it read it ({"seen": "<the record, printed compactly by Python>"}).
"""
import json
import sys
import time

MODE = sys.argv[1]


def answer(request_id, **members):
    sys.stdout.write(json.dumps(dict(id=request_id, **members)) + "\n")


def main():
    if MODE == "exit_at_once":
        sys.exit(3)
    held = None
    for line in sys.stdin:
        request = json.loads(line)
        request_id = request["id"]
        text = request["record"].get("text")
        if MODE == "echo":
            seen = json.dumps(request["record"], ensure_ascii=False, separators=(",", ":"))
            answer(request_id, fields={"seen": seen})
        elif text != "trigger":
            answer(request_id, fields={"seen": True})
            if held is not None:
                answer(held, fields={"seen": True})
                held = None
        elif MODE == "exit_mid":
            sys.stderr.write("about to exit\n")
            sys.stderr.flush()
            sys.exit(4)
        elif MODE == "sleep":
            time.sleep(3600)
        elif MODE == "fewer":
            pass  # no answer for this one; the next request gets answered
        elif MODE == "more":
            sys.stdout.write(json.dumps({"id": request_id}) + "\n" + json.dumps({"id": request_id}) + "\n")
        elif MODE == "invalid":
            sys.stdout.write("not json at all\n")
        elif MODE == "reorder":
            held = request_id  # answered after the next record's answer
            continue
        elif MODE == "wrong_id":
            answer(request_id + 1, fields={"seen": True})
        elif MODE == "error":
            answer(request_id, error="cannot score this one")
        elif MODE == "foreign_key":
            answer(request_id, fields={"other": 1})
        elif MODE == "stderr_flood":
            block = ("x" * 99 + "\n") * 10000  # 1 MB of 100-byte lines
            for _ in range(100):
                sys.stderr.write(block)
            sys.stderr.flush()
            answer(request_id, fields={"seen": True})
        sys.stdout.flush()


if __name__ == "__main__":
    main()
