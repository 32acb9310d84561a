#!/usr/bin/env python3
"""Runs `pactum extract` on the dev corpus documents of the given variants and
scores the records with the corpus's own score.py. Fails (exit 1) when the
overall F1 or any field family's F1 is below the given minimum.

    score_corpus.py --pactum BIN --corpus DIR --variants born-digital --min-f1 0.97
    score_corpus.py --pactum BIN --corpus DIR --variants scan-300-gray,tiff --min-f1 0.95 --min-family-f1 0.85
    score_corpus.py --pactum BIN --corpus DIR --docs tests/corpus/probes --variants born-digital --min-f1 0.78

--docs names a folder with its own manifest.json and truth files in the dev
corpus's format (default: the corpus's dev/).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pactum", required=True)
    ap.add_argument("--corpus", required=True, help="shared/corpus (holds dev/ and tools/)")
    ap.add_argument("--variants", required=True, help="comma-separated manifest variants")
    ap.add_argument("--min-f1", type=float, required=True, help="minimum overall F1")
    ap.add_argument("--min-family-f1", type=float, default=None,
                    help="minimum F1 of every field family (default: --min-f1)")
    ap.add_argument("--docs", default=None, help="folder of documents with manifest.json (default: CORPUS/dev)")
    ap.add_argument("--timeout", type=int, default=600)
    args = ap.parse_args()

    dev = os.path.abspath(args.docs or os.path.join(args.corpus, "dev"))
    manifest = json.load(open(os.path.join(dev, "manifest.json"), encoding="utf-8"))
    wanted = set(args.variants.split(","))
    docs = [d for d in manifest["documents"] if d["variant"] in wanted]
    if not docs:
        print("no documents of variants %s" % args.variants, file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        truth, out = os.path.join(tmp, "truth"), os.path.join(tmp, "out")
        os.makedirs(truth)
        os.makedirs(out)
        with open(os.path.join(truth, "manifest.json"), "w", encoding="utf-8") as f:
            json.dump({"documents": docs}, f)
        timings = ["name\thttp_status\tseconds"]
        for d in docs:
            name = d["truth"][: -len(".truth.json")]
            os.symlink(os.path.join(dev, d["truth"]), os.path.join(truth, d["truth"]))
            res = subprocess.run([args.pactum, "extract", os.path.join(dev, d["file"])],
                                 capture_output=True, timeout=args.timeout)
            status = "200" if res.returncode == 0 else "500"
            if res.returncode != 0:
                print("%s: exit %d: %s" % (d["file"], res.returncode, res.stderr.decode(errors="replace")[:500]),
                      file=sys.stderr)
            with open(os.path.join(out, name + ".json"), "wb") as f:
                f.write(res.stdout)
            timings.append("%s\t%s\t0" % (d["file"], status))
        with open(os.path.join(out, "timings.tsv"), "w") as f:
            f.write("\n".join(timings) + "\n")
        score = os.path.join(args.corpus, "tools", "score.py")
        text = subprocess.run([sys.executable, score, truth, out], capture_output=True, text=True).stdout
        res = subprocess.run([sys.executable, score, truth, out, "--json"], capture_output=True, text=True)
        if res.returncode != 0:
            print(res.stderr, file=sys.stderr)
            return 1
        rep = json.loads(res.stdout)
    print(text)
    failed = []
    if rep["overall"]["f1"] < args.min_f1:
        failed.append("overall %.3f" % rep["overall"]["f1"])
    family_min = args.min_family_f1 if args.min_family_f1 is not None else args.min_f1
    for fam, t in rep["families"].items():
        if t["expected"] and t["f1"] < family_min:
            failed.append("%s %.3f" % (fam, t["f1"]))
    if failed:
        print("F1 below the minimum (overall %.3f, family %.3f): %s" % (args.min_f1, family_min, ", ".join(failed)),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
