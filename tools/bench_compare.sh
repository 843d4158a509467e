#!/usr/bin/env bash
# Speed comparison: xportdnn's float engine against OpenCV dnn on the same Caffe model, in the same run.
#
#   tools/bench_compare.sh [--rounds R] [--seconds S] [--warmup_seconds W]
#                          [--model DIR | --prototxt P --caffemodel W] [--out DIR]
#
# Each round runs, in an order that rotates from round to round: OpenCV at batch 1, `xportdnn bench` at batch 1
# and `xportdnn bench` at batch 16, every one with 2 threads, at least 3 warm-up passes and W seconds of them
# (default 5: the JVM compiles for seconds after the start), and S seconds of timed passes.
# The load average is recorded before each run. At the end it prints every run, then the ratios from the
# median over the rounds of each engine's time per image:
#   ours batch 1 / OpenCV batch 1 time per image        (target: at most 0.8, issue 13)
#   ours batch 16 / OpenCV batch 1 images per second    (target: at least 2.5, issue 13)
# and the peak resident memory of our runs (target: under 1 GiB for SqueezeNet).
# Needs Debian's python3-opencv (apt-get install -y python3-opencv), used through /usr/bin/python3.
# Default model: SqueezeNet v1.0 in ../shared/models/squeezenet_v1.0 (--model takes a folder holding one
# .prototxt and one .caffemodel). Run it on an otherwise idle machine.
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
rounds=3
seconds=10
warmup_seconds=5
model="$repo/../shared/models/squeezenet_v1.0"
prototxt=""
caffemodel=""
out="$repo/target/bench"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup_seconds) warmup_seconds="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --prototxt) prototxt="$2"; shift 2 ;;
    --caffemodel) caffemodel="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "bench_compare: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z "$prototxt" || -z "$caffemodel" ]]; then
  mapfile -t prototxts < <(find "$model" -maxdepth 1 -name '*.prototxt')
  mapfile -t caffemodels < <(find "$model" -maxdepth 1 -name '*.caffemodel')
  if [[ ${#prototxts[@]} -ne 1 || ${#caffemodels[@]} -ne 1 ]]; then
    echo "bench_compare: $model holds ${#prototxts[@]} .prototxt and ${#caffemodels[@]} .caffemodel files;" \
      "give --prototxt and --caffemodel" >&2
    exit 2
  fi
  prototxt="${prototxts[0]}"
  caffemodel="${caffemodels[0]}"
fi
if ! /usr/bin/python3 -c 'import cv2' 2>/dev/null; then
  echo "bench_compare: /usr/bin/python3 cannot import cv2; apt-get install -y python3-opencv" >&2
  exit 2
fi
mkdir -p "$out"
rm -f "$out"/run-*.json
xportdnn="$repo/xportdnn"
# One multiply-add count for both engines: ours, as `inspect` prints it.
madds="$("$xportdnn" inspect --deploy_model "$prototxt" | sed -n 's/.* \([0-9,]*\) multiply-adds per image$/\1/p' | tr -d ,)"
common=(--deploy_model "$prototxt" --weights "$caffemodel" --threads 2 --warmup 3
  --warmup_seconds "$warmup_seconds" --seconds "$seconds")

run() { # name json-file command...
  local name="$1" json="$2"
  shift 2
  echo "== $name: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  "$@" --json "$json" >&2
  /usr/bin/python3 - "$json" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys
path, load = sys.argv[1], float(sys.argv[2])
d = json.load(open(path))
d["load_after"] = load
json.dump(d, open(path, "w"), indent=2)
PY
}

names=(opencv_b1 ours_b1 ours_b16)
for ((r = 1; r <= rounds; r++)); do
  for ((k = 0; k < 3; k++)); do
    name="${names[$(((r - 1 + k) % 3))]}"
    json="$out/run-$r-$name.json"
    case "$name" in
      opencv_b1) run "round $r $name" "$json" /usr/bin/python3 "$repo/tools/bench_opencv.py" "${common[@]}" \
          --batch 1 --multiply_adds "$madds" ;;
      ours_b1) run "round $r $name" "$json" "$xportdnn" bench "${common[@]}" --batch 1 ;;
      ours_b16) run "round $r $name" "$json" "$xportdnn" bench "${common[@]}" --batch 16 ;;
    esac
  done
done

/usr/bin/python3 - "$out" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
runs = {}
print(f"{'run':<18}{'ms/image':>10}{'fastest':>10}{'images/s':>10}{'GFLOP/s':>9}{'peak MiB':>10}{'load':>6}")
for path in sorted(glob.glob(os.path.join(out, "run-*.json"))):
    d = json.load(open(path))
    name = os.path.basename(path)[4:-5]
    runs.setdefault(name.split("-", 1)[1], []).append(d)
    print(f"{name:<18}{d['ms_per_image']:>10.2f}{d['ms_per_image_min']:>10.2f}{d['images_per_s']:>10.1f}"
          f"{d['gflops']:>9.1f}{d['peak_rss_mib']:>10.0f}{d['load_after']:>6.2f}")
ms = {k: statistics.median(d["ms_per_image"] for d in v) for k, v in runs.items()}
ratio1 = ms["ours_b1"] / ms["opencv_b1"]
ratio16 = ms["opencv_b1"] / ms["ours_b16"]
peak = max(d["peak_rss_mib"] for k in ("ours_b1", "ours_b16") for d in runs[k])
print()
print("median over rounds, ms per image: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(ms.items())))
print(f"ours batch 1 / OpenCV batch 1 time per image:      {ratio1:.2f}  (target <= 0.8: {'met' if ratio1 <= 0.8 else 'MISSED'})")
print(f"ours batch 16 / OpenCV batch 1 images per second:  {ratio16:.2f}  (target >= 2.5: {'met' if ratio16 >= 2.5 else 'MISSED'})")
print(f"our peak resident memory:                          {peak:.0f} MiB  (target < 1024: {'met' if peak < 1024 else 'MISSED'})")
PY
