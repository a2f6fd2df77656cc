#!/usr/bin/env python3
"""Compare proofdesk's PDQ hashes with Meta's reference implementation.

Hashes every image of ../shared/pdq-vectors and ../shared/corpus with proofdesk
(`proofdesk screen --json`) and with the `pdqhash` package from PyPI
(Meta's C++ PDQ code behind Python bindings, fed the pixels as Pillow decodes them),
then reports the Hamming distance between the two per group. For pdq-vectors it also
compares with the hashes Meta's other implementations published (expected.csv).

Usage: scripts/pdq_reference.py [--proofdesk BIN] [--shared DIR]
Needs: pip install pdqhash pillow numpy. Exits 1 when a hash differs by more than
16 bits (the tolerance of the upstream tests) on an undamaged file with quality
of at least 50, 0 otherwise; skips cleanly when the
shared data are absent.
"""
import argparse, collections, csv, json, os, subprocess, sys

TOLERANCE = 16  # the upstream tests accept this many differing bits between implementations


def hamming(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def proofdesk_hashes(binary, paths):
    out = subprocess.run([binary, "screen", "--json", "--no-index", *paths],
                         check=False, capture_output=True, text=True).stdout
    hashes = {}
    for f in json.loads(out)["files"]:
        fp = f.get("fingerprint")
        if fp:
            hashes[os.path.realpath(f["path"])] = (fp["pdq"], fp["pdq_quality"])
    return hashes


def reference_hash(path):
    import numpy as np, pdqhash
    from PIL import Image
    try:
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB"))
    except Exception:
        return None
    bits, quality = pdqhash.compute(rgb)
    # pdqhash lists the bits in the order of the hex form: the first is bit 255.
    value = sum(1 << (255 - k) for k, b in enumerate(bits) if b)
    return f"{value:064x}", int(quality)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--proofdesk", default=os.environ.get("PROOFDESK_BIN", "proofdesk"))
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    args = ap.parse_args()
    try:
        import numpy, pdqhash, PIL  # noqa: F401
    except ImportError as e:
        print(f"skipped: {e.name} is not installed (pip install pdqhash pillow numpy)")
        return 0
    vectors = os.path.join(args.shared, "pdq-vectors")
    corpus = os.path.join(args.shared, "corpus")
    if not os.path.isdir(vectors) or not os.path.isdir(corpus):
        print(f"skipped: shared data not found at {args.shared}")
        return 0

    groups = collections.defaultdict(list)  # group -> [(path, ours, ref)]
    with open(os.path.join(corpus, "MANIFEST.csv")) as f:
        manifest = {os.path.realpath(os.path.join(corpus, r["path"])): r["group"]
                    for r in csv.DictReader(f)}
    ours = proofdesk_hashes(args.proofdesk, [vectors, corpus])
    worst = 0
    for path, (h, q) in sorted(ours.items()):
        ref = reference_hash(path)
        if ref is None:
            continue
        if path in manifest:
            group = manifest[path]
        elif path.startswith(os.path.realpath(vectors)):
            group = "pdq-vectors/" + os.path.relpath(path, vectors).split(os.sep)[0]
        else:
            group = "corpus, other files"
        d = hamming(h, ref[0])
        groups[group].append((path, d, q, ref[1]))
        # Decoders legitimately disagree on damaged files, so those do not count.
        if q >= 50 and ref[1] >= 50 and group != "malformed":
            worst = max(worst, d)

    print(f"{'group':<26} {'files':>5} {'identical':>9} {'mean':>6} {'max':>4} {'>16':>4}  quality differs")
    for g, rows in sorted(groups.items()):
        ds = [r[1] for r in rows]
        print(f"{g:<26} {len(rows):>5} {sum(d == 0 for d in ds):>9} {sum(ds) / len(ds):>6.2f} "
              f"{max(ds):>4} {sum(d > TOLERANCE for d in ds):>4}  {sum(r[2] != r[3] for r in rows)}")
        for path, d, q, rq in rows:
            if d > TOLERANCE:
                print(f"  {os.path.relpath(path, args.shared)}: {d} bits (quality {q} vs {rq})")

    print("\nagainst the hashes Meta's implementations published (pdq-vectors/expected.csv):")
    with open(os.path.join(vectors, "expected.csv")) as f:
        rows = list(csv.DictReader(f))
    for col in ["hash_cpp", "hash_python", "hash_wasm", "hash_pdqhash_pypi"]:
        ds = [hamming(ours[p][0], r[col]) for r in rows
              if r[col] and (p := os.path.realpath(os.path.join(vectors, r["path"]))) in ours]
        if ds:
            print(f"  {col:<18} {len(ds):>3} files, mean {sum(ds) / len(ds):.2f} bits, max {max(ds)}")
    print(f"\nlargest difference on hashes of quality >= 50, damaged files aside: {worst} bits "
          f"(tolerance {TOLERANCE})")
    return 1 if worst > TOLERANCE else 0


if __name__ == "__main__":
    sys.exit(main())
