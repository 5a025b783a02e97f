#!/usr/bin/env python3
"""Tiny JSON query helper for the grpcurl client tests.

grpcurl prints a stream as concatenated JSON objects. This reads such a file,
normalises keys to lowerCamelCase (grpcurl versions differ in whether they print
proto names or JSON names) and evaluates a Python expression over it, with:

    objs   list of every JSON object in the file, in order
    first  objs[0] (or {} when there is none)

usage:
    jsonq.py check FILE EXPR   exit 0 if EXPR is truthy, else print why and exit 1
    jsonq.py get FILE EXPR     print the value of EXPR (strings raw, others as JSON)
"""
import json
import re
import sys


def camel(value):
    if isinstance(value, dict):
        return {
            re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), key): camel(inner)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [camel(inner) for inner in value]
    return value


def read_objects(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    decoder = json.JSONDecoder()
    position, found = 0, []
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return found
        value, position = decoder.raw_decode(text, position)
        found.append(camel(value))


def main(argv):
    if len(argv) != 4 or argv[1] not in ("check", "get"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, path, expression = argv[1:]
    try:
        objs = read_objects(path)
    except (OSError, ValueError) as error:
        print(f"cannot parse {path}: {error}", file=sys.stderr)
        return 1
    scope = {"objs": objs, "first": objs[0] if objs else {}, "re": re}
    try:
        value = eval(expression, scope)  # noqa: S307 - test helper, trusted input
    except Exception as error:  # noqa: BLE001 - report any failure of the expression
        print(f"expression failed: {expression}: {error!r}", file=sys.stderr)
        return 1
    if mode == "get":
        print(value if isinstance(value, str) else json.dumps(value))
        return 0
    if value:
        return 0
    print(f"not true: {expression} (over {len(objs)} objects)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
