#!/usr/bin/env python3
"""Fix the train / validation split of a real-dev folder, once, with a fixed seed.

    bench/real-dev/split.py ../shared/corpus/real-dev/cuad > bench/real-dev/cuad.validation
    bench/real-dev/split.py ../shared/corpus/real-dev/de   > bench/real-dev/de.validation

Documents are grouped by agreement: a scan ("NAME-scan300g") goes with the born-digital
file it was made from, so no agreement is seen in both parts. Groups are ordered by
SHA-256 of SEED + group name and the first quarter (rounded up) is the validation part.
Prints the validation file names, one per line, sorted. Tuning and training read only
the other files; bench/real-dev/run.sh scores either part.
"""
import hashlib
import math
import os
import re
import sys

SEED = "pactum-real-dev-split-2026-12-07"
SHARE = 0.25


def group_of(name):
    return re.sub(r"-scan\d+[a-z]*$", "", name)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: split.py REAL_DEV_FOLDER")
    folder = sys.argv[1]
    names = sorted(f[: -len(".truth.json")] for f in os.listdir(folder) if f.endswith(".truth.json"))
    groups = sorted({group_of(n) for n in names},
                    key=lambda g: hashlib.sha256((SEED + g).encode()).hexdigest())
    chosen = set(groups[: math.ceil(len(groups) * SHARE)])
    for n in names:
        if group_of(n) in chosen:
            print(n)


if __name__ == "__main__":
    main()
