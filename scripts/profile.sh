#!/usr/bin/env bash
# Where screening's CPU time goes, by component, over one folder; and how many of its
# megapixels need full-resolution decoding. Not a test: it reports, it does not judge.
#
# Usage: scripts/profile.sh [FOLDER] [extra screen flags, e.g. --no-pixels]
#   FOLDER default ../shared/corpus
# Needs perf (Debian package linux-perf) where the machine allows it.
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:-../shared/corpus}
shift || true
target=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet
bin="$target/release/proofdesk"
[ -d "$folder" ] || { echo "skipping: no folder $folder"; exit 0; }
command -v perf >/dev/null || { echo "skipping: perf is not installed (Debian package linux-perf)"; exit 0; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
perf record -q -F 2000 -o "$scratch/perf.data" "$bin" --data-dir "$scratch" screen --json "$@" "$folder" >/dev/null 2>&1 || true
perf report -q -i "$scratch/perf.data" --no-children --sort symbol 2>/dev/null >"$scratch/symbols.txt"
"$bin" --data-dir "$scratch" screen --json --no-pixels "$folder" >"$scratch/meta.json" 2>/dev/null || true
python3 - "$scratch/symbols.txt" "$scratch/meta.json" <<'PY'
import json, re, sys
# Component of a symbol: the first pattern that matches, else "other".
parts = [
    ("JPEG decoding (zune-jpeg)", r"zune_jpeg"),
    ("PNG decoding", r"\bpng::|fdeflate|zune_inflate|miniz|inflate"),
    ("other decoding (WebP, TIFF, image)", r"image_webp|\btiff::|\bimage::"),
    ("reuse fingerprints", r"::reuse::|pdq"),
    ("pixel AI detector", r"::detector::"),
    ("watermark decoder", r"::watermark::"),
    ("pixel forensics", r"::forensics::"),
    ("SHA-256", r"sha2::"),
    ("C2PA RSA (num-bigint-dig)", r"num_bigint|\brsa::"),
    ("C2PA other", r"c2pa|coset|x509|p256|ecdsa|ed25519|ciborium|serde_cbor"),
    ("metadata parsing", r"proofdesk_engine::(container|metadata|jpeg_quality)|exif::|quick_xml|memchr"),
    ("memory", r"mem(move|set|cpy)|malloc|free|realloc|_int_"),
    ("kernel", r"^\[k\]"),
]
share = {}
for line in open(sys.argv[1]):
    m = re.match(r"\s*([\d.]+)%\s+(\[.\])\s+(.*)", line)
    if not m:
        continue
    pct, kind, sym = float(m.group(1)), m.group(2), m.group(3).strip()
    text = "[k] " + sym if kind == "[k]" else sym
    name = next((n for n, p in parts if re.search(p, text)), "other")
    share[name] = share.get(name, 0.0) + pct
print("share of CPU samples by component:")
for name, pct in sorted(share.items(), key=lambda kv: -kv[1]):
    print(f"  {pct:5.1f} %  {name}")
# What needs every pixel: the watermark test runs on JPEGs of quality >= 90 and on
# lossless formats; lower-quality JPEGs are decoded for the fingerprint and detector.
hi = lo = other = 0.0
counts = [0, 0, 0]
for f in json.load(open(sys.argv[2]))["files"]:
    m = f.get("metadata") or {}
    mp = (m.get("width") or 0) * (m.get("height") or 0) / 1e6
    q = (m.get("jpeg_quality") or {}).get("quality")
    if f.get("format") == "jpeg" and q is not None and q >= 90:
        hi += mp; counts[0] += 1
    elif f.get("format") == "jpeg":
        lo += mp; counts[1] += 1
    else:
        other += mp; counts[2] += 1
print(f"megapixels: JPEG quality >= 90: {hi:.0f} in {counts[0]} files; JPEG below 90 or unknown: "
      f"{lo:.0f} in {counts[1]}; other formats: {other:.0f} in {counts[2]}")
PY
/usr/bin/time -f "CPU time of the run: %U s user + %S s system, %e s wall" "$bin" --data-dir "$scratch" screen --json "$@" "$folder" 2>&1 >/dev/null | tail -1
