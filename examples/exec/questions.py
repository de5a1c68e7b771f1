#!/usr/bin/env python3
"""examples/exec/questions.py - a textpipe exec co-process in Python (standard library only).

textpipe's exec stage starts this once per worker and keeps it running. Each line on stdin is
{"id": N, "record": {...}}; for each, this prints one line {"id": N, "fields": {...}} with the
fields to set on the record (here "question": whether the comment asks something), in the
same order. It reads its input in blocks and writes and flushes a block's answers at once
before it waits for more, which is all the protocol asks (textpipe sends a batch of records
at a time and waits for their answers); one write per block also holds under
PYTHONUNBUFFERED=1, where a write per line would cost a system call per record. Printing {"id": N, "error": "why"} dead-letters that record instead.
Anything written to stderr shows up in textpipe's log.
"""
import json
import os
import sys

QUESTION_STARTS = ("who ", "what ", "when ", "where ", "why ", "how ", "is ", "are ", "can ",
                   "does ", "do ", "should ", "will ", "would ", "could ")


def is_question(text):
    """True when a sentence of `text` ends in '?' or the text opens like a question."""
    lowered = text.strip().lower()
    return "?" in lowered or lowered.startswith(QUESTION_STARTS)


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


def answer(request):
    """The answer line for one request."""
    text = request["record"].get("text")
    if not isinstance(text, str):
        reply = {"id": request["id"], "error": "the record has no text"}
    else:
        reply = {"id": request["id"], "fields": {"question": is_question(text)}}
    return json.dumps(reply) + "\n"


def main():
    for requests in blocks():
        # One write per block, flushed before the next read (even under PYTHONUNBUFFERED).
        sys.stdout.write("".join(answer(request) for request in requests))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
