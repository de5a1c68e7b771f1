#!/usr/bin/env python3
"""examples/exec/questions.py - a textpipe exec co-process in Python (standard library only).

textpipe's exec stage starts this once per worker and keeps it running. Each line on stdin is
{"id": N, "record": {...}}; for each, this prints one line {"id": N, "fields": {...}} with the
fields to set on the record (here "question": whether the comment asks something), in the
same order, and flushes it. Printing {"id": N, "error": "why"} dead-letters that record
instead. Anything written to stderr shows up in textpipe's log.
"""
import json
import sys

QUESTION_STARTS = ("who ", "what ", "when ", "where ", "why ", "how ", "is ", "are ", "can ",
                   "does ", "do ", "should ", "will ", "would ", "could ")


def is_question(text):
    """True when a sentence of `text` ends in '?' or the text opens like a question."""
    lowered = text.strip().lower()
    return "?" in lowered or lowered.startswith(QUESTION_STARTS)


def main():
    for line in sys.stdin:
        request = json.loads(line)
        text = request["record"].get("text")
        if not isinstance(text, str):
            answer = {"id": request["id"], "error": "the record has no text"}
        else:
            answer = {"id": request["id"], "fields": {"question": is_question(text)}}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
