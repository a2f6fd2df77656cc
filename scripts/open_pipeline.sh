#!/usr/bin/env bash
# How much faster `proofdesk screen` is than the open pipeline a user would otherwise
# assemble for the same checks: ExifTool for the metadata, the reference invisible-
# watermark decoder (dwtDct, 48 bits, as Stable Diffusion XL marks) and Meta's PDQ hash
# (pdqhash) for each picture. The owner's bar: proofdesk at least 10 × faster.
# Two ways to run the reference tools: one Python process for the whole folder (a
# programmer's script), and one process per picture (as their command-line tools run;
# the watermark tool's real start also imports torch, left out here, so this is the
# cheaper side of that way). Not a test: it reports, it does not judge.
#
# Usage: [RUNS=3] scripts/open_pipeline.sh [FOLDER]     FOLDER default ../shared/corpus/camera
# Installs what is missing from the registries: ExifTool (Debian), pdqhash,
# opencv-python-headless, PyWavelets and invisible-watermark (without torch: its dwtDct
# decoder does not use it; the package imports it only for another method, so the
# measurement stands in an empty module for it).
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:-../shared/corpus/camera}
target=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet
bin="$target/release/proofdesk"
[ -d "$folder" ] || { echo "skipping: no folder $folder"; exit 0; }
if ! command -v exiftool >/dev/null 2>&1; then
  (apt-get install -y -qq libimage-exiftool-perl || (apt-get update -qq && apt-get install -y -qq libimage-exiftool-perl)) >/dev/null 2>&1 \
    || { echo "skipping: exiftool could not be installed"; exit 0; }
fi
if ! python3 -c "import pdqhash, cv2, pywt, numpy" >/dev/null 2>&1; then
  python3 -m pip install -q pdqhash opencv-python-headless PyWavelets numpy >/dev/null 2>&1 \
    || { echo "skipping: pdqhash or opencv could not be installed"; exit 0; }
fi
if ! python3 -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('imwatermark') is None)"; then
  python3 -m pip install -q --no-deps invisible-watermark==0.2.0 >/dev/null 2>&1 \
    || { echo "skipping: invisible-watermark could not be installed"; exit 0; }
fi
python3 - "$bin" "$folder" "${RUNS:-3}" <<'PY'
import os, shutil, statistics, subprocess, sys, tempfile, time
bin, folder, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
# The reference tools, one picture at a time, as a user's script would call them.
decode = r'''
import sys, types
sys.modules.setdefault("torch", types.ModuleType("torch"))
import cv2, pdqhash
from imwatermark import WatermarkDecoder
decoder = WatermarkDecoder("bits", 48)
for path in sys.argv[1:]:
    bgr = cv2.imread(path)
    if bgr is None:
        continue
    decoder.decode(bgr, "dwtDct")
    pdqhash.compute(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
'''
pictures = sorted(os.path.join(d, f) for d, _, fs in os.walk(folder) for f in fs
                  if f.lower().endswith((".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff")))
def timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t
def median(f):
    f()  # once untimed: disk cache, ExifTool's Perl modules
    return statistics.median(f() for _ in range(runs))
exif = median(lambda: timed(["exiftool", "-json", "-r", folder]))
pixels = median(lambda: timed([sys.executable, "-c", decode, *pictures]))
per_file = median(lambda: sum(timed([sys.executable, "-c", decode, p]) for p in pictures))
def screen():
    with tempfile.TemporaryDirectory() as scratch:
        return timed([bin, "--data-dir", scratch, "screen", "--json", folder])
ours = median(screen)
print(f"{folder}: {len(pictures)} pictures, {os.cpu_count()} cores, median of {runs}")
print(f"  proofdesk screen: {ours:.2f} s")
for how, t in (("one process for the folder", pixels), ("one process per picture", per_file)):
    total = exif + t
    print(f"  open pipeline, {how}: ExifTool {exif:.2f} s + watermark decoder and PDQ {t:.2f} s"
          f" = {total:.2f} s (one core); proofdesk {total / ours:.1f} x faster (owner's bar: 10 x)")
PY
