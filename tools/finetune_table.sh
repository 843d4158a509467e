#!/usr/bin/env bash
# What --fast_finetune (or another flag: FINETUNE_FLAG=--equalize) buys, as issue 16 measures it: each configuration
# exported twice, without and with the flag, calibrating (and tuning) on the first N images of the dev set in the order of their relative
# paths (256 of CIFAR-10, 64 of ImageNet), then `validate` on every other image against the ORIGINAL float net
# (--float_model/--float_weights, since tuned weights run in float are not the reference). The export's wall time
# and peak resident memory come from /usr/bin/time. Results: out/finetune/<config>.json and .time (a configuration
# whose JSON exists is skipped, so the script resumes); the table: out/finetune/table.md.
# Usage: tools/finetune_table.sh [CIFAR_SCORED]   (default: every CIFAR-10 image not used for tuning)
# Environment: FINETUNE_OUT=DIR writes there instead of out/finetune (a fresh re-measurement next to the old one);
# FINETUNE_ONLY=NAME runs only the configuration NAME (e.g. squeezenet-dynamicfixed-auto-8-finetune);
# FINETUNE_FLAG=FLAG measures FLAG instead of --fast_finetune (names end in -FLAG without its dashes, e.g.
# -equalize; use a FINETUNE_OUT of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared
out=${FINETUNE_OUT:-out/finetune}
only=${FINETUNE_ONLY:-}
flag=${FINETUNE_FLAG:---fast_finetune}
mkdir -p "$out"
count=${1:-}

declare -A deploy weights images flags first
deploy[squeezenet]=$shared/models/squeezenet_v1.0/SqueezeNet_deploy.prototxt
weights[squeezenet]=$shared/models/squeezenet_v1.0/squeezenet_v1.0.caffemodel
images[squeezenet]=$shared/data/imagenet-val-500/val.txt
flags[squeezenet]=""
first[squeezenet]=64
deploy[resnet20]=$shared/models/resnet20_cifar10/res20_deploy.derived.prototxt
weights[resnet20]=$shared/models/resnet20_cifar10/cifar10_res20_iter_64000.caffemodel
images[resnet20]=$shared/data/cifar10-test/labels.txt
flags[resnet20]="--channel_swap 0,1,2 --mean_file $shared/data/cifar10-test/mean.npy"
first[resnet20]=256

run() { # name model mode-flags...
  local name=$1 model=$2; shift 2
  local json=$out/$name.json
  [[ -f $json || ( -n $only && $name != "$only" ) ]] && return
  local q=$out/$name.prototxt w=$out/$name.caffemodel
  local indices scored=""
  indices=$(seq -s, 0 $((first[$model] - 1)))
  [[ -n $count && $model == resnet20 ]] && scored="--count $count"
  /usr/bin/time -f "%e %M" -o "$out/$name.time" ./xportdnn --deploy_model "${deploy[$model]}" \
      --weights "${weights[$model]}" --quantized_deploy_model "$q" --quantized_weights "$w" --fuse_bn \
      --calibration_directory "${images[$model]}" --calibration_indices "$indices" ${flags[$model]} \
      --report "$out/$name.report.json" -q "$@" 2> "$out/$name.log"
  ./xportdnn validate --deploy_model "$q" --weights "$w" --images "${images[$model]}" ${flags[$model]} $scored \
      --exclude_calibration --calibration_indices "$indices" --float_model "${deploy[$model]}" \
      --float_weights "${weights[$model]}" --batch 8 -q --json "$json" > /dev/null
  echo "done $name" >&2
}

for tuned in "" "$flag"; do
  suffix=
  [[ -n $tuned ]] && suffix=-${tuned#--}
  [[ $tuned == --fast_finetune ]] && suffix=-finetune
  run "resnet20-xilinx-6$suffix" resnet20 --bitwidths 6,6,6 $tuned
  run "resnet20-dynamicfixed-auto-6$suffix" resnet20 --quant_type DynamicFixed --fl_bitwidths auto --bitwidths 6,6,6 $tuned
  run "resnet20-xilinx-8$suffix" resnet20 --bitwidths 8,8,8 $tuned
  run "squeezenet-xilinx-8$suffix" squeezenet --bitwidths 8,8,8 $tuned
  run "squeezenet-xilinx-6$suffix" squeezenet --bitwidths 6,6,6 $tuned
  run "squeezenet-dynamicfixed-auto-8$suffix" squeezenet --quant_type DynamicFixed --fl_bitwidths auto --bitwidths 8,8,8 $tuned
  run "squeezenet-dynamicfixed-auto-6$suffix" squeezenet --quant_type DynamicFixed --fl_bitwidths auto --bitwidths 6,6,6 $tuned
done

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
with open(os.path.join(out, 'table.md'), 'w') as t:
    t.write('| configuration | images | float top-1 | fixed top-1 | drop (points) | 95% interval | top-1 agreement '
            '| export time | peak memory |\n|---|---|---|---|---|---|---|---|---|\n')
    for f in sorted(os.listdir(out)):
        if not f.endswith('.json') or f.endswith(('.xportdnn.json', '.report.json')):  # sidecars and reports
            continue
        name = f[:-5]
        j = json.load(open(os.path.join(out, f)))
        ci = j['top1_drop']['ci95_points']
        seconds, kib = open(os.path.join(out, name + '.time')).read().split()[-2:]
        t.write('| %s | %d | %.2f%% | %.2f%% | %.2f | %.2f to %.2f | %.2f%% | %.0f s | %.1f GiB |\n'
                % (name, j['images'], 100 * j['float']['top1'], 100 * j['fixed']['top1'],
                   100 * (j['float']['top1'] - j['fixed']['top1']), ci[0], ci[1], 100 * j['top1_agreement'],
                   float(seconds), int(kib) / 2**20))
print(open(os.path.join(out, 'table.md')).read())
PY
