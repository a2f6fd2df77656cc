#!/usr/bin/env python3
"""Compare proofdesk's EXIF reading with ExifTool on the corpus `camera` group.

Usage: scripts/check_exif.py [CORPUS] [--proofdesk BIN] [--group camera]

Checks make, model, capture time (DateTimeOriginal) and GPS position for every
file of the group and prints each disagreement. Exits 1 on any disagreement,
0 when all agree, and 0 with a message when the corpus or ExifTool is absent.
"""
import argparse, csv, json, os, shutil, subprocess, sys

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default="../shared/corpus")
    ap.add_argument("--proofdesk", default=os.environ.get("PROOFDESK_BIN", "proofdesk"))
    ap.add_argument("--group", default="camera")
    a = ap.parse_args()
    manifest = os.path.join(a.corpus, "MANIFEST.csv")
    if not os.path.isfile(manifest):
        print(f"skipping: no corpus at {a.corpus}")
        return 0
    if not shutil.which("exiftool"):
        print("skipping: exiftool is not installed (Debian package libimage-exiftool-perl)")
        return 0
    files = [os.path.join(a.corpus, r["path"]) for r in csv.DictReader(open(manifest)) if r["group"] == a.group]
    def exiftool(tags):
        out = subprocess.run(["exiftool", "-json", "-n"] + tags + files, capture_output=True, text=True).stdout
        return {os.path.normpath(d["SourceFile"]): d for d in json.loads(out or "[]")}
    # Compare EXIF with EXIF: values ExifTool reads from maker-specific records
    # (e.g. FLIR's own block) are listed as notes, not disagreements.
    tool = exiftool(["-EXIF:Make", "-EXIF:Model", "-EXIF:DateTimeOriginal", "-EXIF:GPSLatitude",
                     "-EXIF:GPSLatitudeRef", "-EXIF:GPSLongitude", "-EXIF:GPSLongitudeRef"])
    anywhere = exiftool(["-DateTimeOriginal", "-GPSLatitude"])
    for d in tool.values():
        for k, neg in (("GPSLatitude", "S"), ("GPSLongitude", "W")):
            if d.get(k) not in (None, "") and str(d.get(k + "Ref", "")).upper().startswith(neg):
                d[k] = -float(d[k])
    ours = {os.path.normpath(f["path"]): f for f in json.loads(subprocess.run(
        [a.proofdesk, "screen", "--json", "--no-pixels"] + files, capture_output=True, text=True).stdout)["files"]}
    fields = ["make", "model", "captured", "gps"]
    agree = {k: 0 for k in fields}
    bad = []
    for path in files:
        p = os.path.normpath(path)
        t, o = tool.get(p, {}), (ours.get(p, {}).get("metadata") or {}).get("exif") or {}
        def s(v):
            return None if v in (None, "") else str(v).strip()
        tdate = s(t.get("DateTimeOriginal"))
        valid = tdate and len(tdate) >= 19 and tdate[:4].isdigit() and not tdate.startswith("0000")
        tdate = tdate[:19].replace(":", "-", 2).replace(" ", "T") if valid else None
        odate = o.get("captured")
        odate = odate[:19] if odate else None
        tg = tuple(None if v in (None, "") else v for v in (t.get("GPSLatitude"), t.get("GPSLongitude")))
        og = o.get("gps")
        og = (og["latitude"], og["longitude"]) if og else (None, None)
        gps_ok = (tg == (None, None) and og == (None, None)) or (
            None not in tg and None not in og and abs(float(tg[0]) - og[0]) < 1e-6 and abs(float(tg[1]) - og[1]) < 1e-6)
        checks = {
            "make": s(t.get("Make")) == s(o.get("make")),
            "model": s(t.get("Model")) == s(o.get("model")),
            "captured": tdate == odate,
            "gps": gps_ok,
        }
        for k, ok in checks.items():
            if ok:
                agree[k] += 1
            else:
                got = {"make": (t.get("Make"), o.get("make")), "model": (t.get("Model"), o.get("model")),
                       "captured": (tdate, odate), "gps": (tg, og)}[k]
                bad.append(f"{os.path.relpath(path, a.corpus)}: {k}: exiftool {got[0]!r} proofdesk {got[1]!r}")
    print(f"{len(files)} files in group '{a.group}'")
    for k in fields:
        print(f"  {k:<9} agree {agree[k]}/{len(files)}")
    for b in bad:
        print("  DISAGREE " + b)
    for path in files:
        p = os.path.normpath(path)
        for k in ("DateTimeOriginal", "GPSLatitude"):
            if tool.get(p, {}).get(k) in (None, "") and anywhere.get(p, {}).get(k) not in (None, ""):
                print(f"  note: {os.path.relpath(path, a.corpus)}: ExifTool finds {k} outside EXIF (maker-specific record)")
    print(f"{sum(agree.values())} passed, {len(bad)} failed")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
