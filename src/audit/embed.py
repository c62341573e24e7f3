#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Build step: embed data/criteria.json in the library as a C byte array
# (mc__criteria_builtin), after checking that it parses as JSON, so that a
# broken catalog fails the build rather than the first run.
import json
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        data = f.read()
    json.loads(data.decode("utf-8"))
    out = ["/* Generated from data/criteria.json by src/audit/embed.py; do not edit. */",
           "#include <stddef.h>", "",
           "extern const unsigned char mc__criteria_builtin[];",
           "extern const size_t mc__criteria_builtin_len;", "",
           "const unsigned char mc__criteria_builtin[] = {"]
    for i in range(0, len(data), 16):
        out.append("    " + ", ".join("0x%02x" % b for b in data[i:i + 16]) + ",")
    out.append("    0x00,")
    out.append("};")
    out.append("const size_t mc__criteria_builtin_len = %d;" % len(data))
    with open(dst, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
