#!/usr/bin/env bash
# Throughput and peak memory of ExifTool and proofdesk over one folder, and the
# per-file latency of a 12-megapixel JPEG. Not a test: it reports, it does not judge.
#
# Usage: [RUNS=5] [FORENSICS_RUNS=1] scripts/bench.sh [FOLDER] [12MP_JPEG]
#   FOLDER    default ../shared/corpus
#   12MP_JPEG default ../shared/corpus/c2pa/truepic-20230212-camera.jpg (12.2 MP camera photo, quality 95, EXIF thumbnail, Content Credentials)
# Needs exiftool (Debian package libimage-exiftool-perl) and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:-../shared/corpus}
big=${2:-../shared/corpus/c2pa/truepic-20230212-camera.jpg}
target=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet
bin="$target/release/proofdesk"
[ -d "$folder" ] || { echo "skipping: no folder $folder"; exit 0; }
n=$(find "$folder" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.webp' -o -iname '*.tif' -o -iname '*.tiff' -o -iname '*.heic' -o -iname '*.heif' \) | wc -l)
echo "folder: $folder ($n image files), $(nproc) cores"
# Each command runs once untimed (ExifTool's first run also loads its Perl modules
# from disk), then RUNS times; the median wall time and the largest peak memory are
# reported. The forensics run takes about a minute, so it runs FORENSICS_RUNS times.
python3 - "$bin" "$folder" "$n" "${RUNS:-5}" "${FORENSICS_RUNS:-1}" <<'PY'
import shutil, statistics, subprocess, sys, tempfile, time
bin, folder, n, runs, forensic_runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def measure(label, cmd, count):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times, peaks = [], []
    for _ in range(count):
        with tempfile.NamedTemporaryFile("r") as out:
            t = time.perf_counter()
            subprocess.run(["/usr/bin/time", "-o", out.name, "-f", "%M", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t)
            peaks.append(int(out.read().split()[-1]) / 1024)
    med = statistics.median(times)
    print(f"{label:<38} {med:7.2f} s {n / med:8.1f} files/s {max(peaks):7.1f} MiB peak"
          f"   (median of {count}; {min(times):.2f}-{max(times):.2f} s)")
    return med
# An empty data directory: no reuse index is searched, whatever ./proofdesk-data holds.
scratch = tempfile.mkdtemp()
pd = [bin, "--data-dir", scratch, "screen", "--json"]
exif = measure("exiftool -json -r", ["exiftool", "-json", "-r", folder], runs) if shutil.which("exiftool") else None
if exif is None:
    print("exiftool not installed: skipped")
meta = measure("proofdesk screen --json --no-pixels", [*pd, "--no-pixels", folder], runs)
full = measure("proofdesk screen --json (full)", [*pd, folder], runs)
measure("proofdesk screen --json --forensics", [*pd, "--forensics", folder], forensic_runs)
if exif:
    print(f"metadata checks: {exif / meta:.1f}x ExifTool's throughput; full screening: {full / exif:.2f}x ExifTool's time")
shutil.rmtree(scratch)
PY
if [ -f "$big" ]; then
  python3 - "$bin" "$big" <<'PY'
import atexit, shutil, statistics, subprocess, sys, tempfile, time
bin, path = sys.argv[1], sys.argv[2]
# An empty data directory, as for the folder runs.
scratch = tempfile.mkdtemp()
atexit.register(shutil.rmtree, scratch)
for label, extra in (("metadata only", ["--no-pixels"]), ("full", []),
                     ("full with forensics on one core, as the service screens", ["--forensics", "--jobs", "1"])):
    runs = []
    for _ in range(7):
        t = time.perf_counter()
        subprocess.run([bin, "--data-dir", scratch, "screen", "--json", *extra, path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append(time.perf_counter() - t)
    print(f"12 MP JPEG ({path.rsplit('/', 1)[-1]}), {label}: median {statistics.median(runs) * 1000:.0f} ms over 7 runs")
# Reuse fingerprint (decode, PDQ in eight orientations, frame hash, local features) of
# one 12 MP JPEG: `index query` against an empty data directory does exactly that work.
import tempfile
with tempfile.TemporaryDirectory() as empty:
    runs = []
    for _ in range(7):
        t = time.perf_counter()
        subprocess.run([bin, "--data-dir", empty, "index", "query", "--json", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append(time.perf_counter() - t)
    ms = statistics.median(runs) * 1000
    print(f"12 MP JPEG reuse fingerprint: median {ms:.0f} ms over 7 runs = {1000 / ms:.1f} images/s per core (process start included)")
# Pixel forensics per analysis, one core (the report's own timings), and peak memory with and without them.
import json, resource
per = {}
for _ in range(5):
    out = subprocess.run([bin, "--data-dir", scratch, "screen", "--json", "--forensics", "--jobs", "1", path], capture_output=True, text=True).stdout
    for m in json.loads(out)["files"][0]["forensics"]["methods"]:
        per.setdefault(m["method"], []).append(m["millis"])
for name, v in per.items():
    print(f"  forensics {name:<12} median {statistics.median(v):6.0f} ms (one core)")
for label, extra in (("with forensics", ["--forensics"]), ("without forensics", [])):
    r = subprocess.run(["/usr/bin/time", "-f", "%M", bin, "--data-dir", scratch, "screen", "--json", "--jobs", "1", *extra, path], capture_output=True, text=True)
    print(f"  peak memory {label}: {int(r.stderr.strip().splitlines()[-1]) / 1024:.0f} MiB")
PY
fi
# Everything on, one core, as a worker screens a photo without camera data: forensics and
# the CLIP detector (forced onto this photo, which names its camera). A process screens
# the photo once, then six times; the difference over five is the time per photo once
# the encoder is loaded (its load is paid once per worker process).
models=${PROOFDESK_MODELS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/proofdesk/models}
if [ -f "$big" ] && [ -f "$models/clip_encoder.int8.onnx" ]; then
  python3 - "$bin" "$big" <<'PY'
import atexit, shutil, statistics, subprocess, sys, tempfile, time
bin, path = sys.argv[1], sys.argv[2]
scratch = tempfile.mkdtemp()
atexit.register(shutil.rmtree, scratch)
def run(copies):
    with tempfile.NamedTemporaryFile("r") as out:
        t = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-o", out.name, "-f", "%M", "taskset", "-c", "0", bin, "--data-dir", scratch,
                        "screen", "--json", "--forensics", "--detector-on-camera-files", "--jobs", "1", *[path] * copies],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t, int(out.read().split()[-1]) / 1024
once, six, peak = [], [], 0.0
for _ in range(3):
    (a, pa), (b, pb) = run(1), run(6)
    once.append(a); six.append(b); peak = max(peak, pa, pb)
per = statistics.median((b - a) / 5 for a, b in zip(once, six))
print(f"12 MP JPEG, forensics and CLIP detector, one core: first photo {statistics.median(once):.2f} s "
      f"(process start and encoder load included), each further photo {per:.2f} s; {peak:.0f} MiB peak (median of 3)")
PY
else
  echo "CLIP encoder not installed (scripts/fetch-models.sh): the everything-on figure is skipped"
fi
# The pixel-level AI detector on the 12 MP JPEG, one core (decoding timed apart).
taskset -c 0 "$bin" train-detector --time "$big" 2>/dev/null || "$bin" train-detector --time "$big"
