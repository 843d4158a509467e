#!/usr/bin/env bash
# What --equalize buys, on issue 16's protocol (as tools/finetune_table.sh): each configuration exported without and
# with --equalize (both with --fuse_bn and --quantized_weights, so both fold alike), calibrating on the first N images
# of the dev set in the order of their relative paths (256 of CIFAR-10, 64 of ImageNet), then `validate` on the other
# images (ResNet-20: 2,000 of them) against the ORIGINAL float net. Results: out/equalize/<config>.json (a
# configuration whose JSON exists is skipped, so the script resumes); the table: out/equalize/table.md.
# Usage: nice tools/equalize_table.sh   Environment: EQUALIZE_OUT=DIR writes there instead of out/equalize.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared
out=${EQUALIZE_OUT:-out/equalize}
mkdir -p "$out"

declare -A deploy weights images flags first scored
deploy[squeezenet]=$shared/models/squeezenet_v1.0/SqueezeNet_deploy.prototxt
weights[squeezenet]=$shared/models/squeezenet_v1.0/squeezenet_v1.0.caffemodel
images[squeezenet]=$shared/data/imagenet-val-500/val.txt
flags[squeezenet]=""
first[squeezenet]=64
scored[squeezenet]=""
deploy[resnet20]=$shared/models/resnet20_cifar10/res20_deploy.derived.prototxt
weights[resnet20]=$shared/models/resnet20_cifar10/cifar10_res20_iter_64000.caffemodel
images[resnet20]=$shared/data/cifar10-test/labels.txt
flags[resnet20]="--channel_swap 0,1,2 --mean_file $shared/data/cifar10-test/mean.npy"
first[resnet20]=256
scored[resnet20]="--count 2000"

run() { # name model mode-flags...
  local name=$1 model=$2; shift 2
  local json=$out/$name.json
  [[ -f $json ]] && return
  local q=$out/$name.prototxt w=$out/$name.caffemodel indices
  indices=$(seq -s, 0 $((first[$model] - 1)))
  ./xportdnn --deploy_model "${deploy[$model]}" --weights "${weights[$model]}" --quantized_deploy_model "$q" \
      --quantized_weights "$w" --fuse_bn --calibration_directory "${images[$model]}" --calibration_indices "$indices" \
      ${flags[$model]} --report "$out/$name.report.json" -q "$@" 2> "$out/$name.log"
  ./xportdnn validate --deploy_model "$q" --weights "$w" --images "${images[$model]}" ${flags[$model]} \
      ${scored[$model]} --exclude_calibration --calibration_indices "$indices" --float_model "${deploy[$model]}" \
      --float_weights "${weights[$model]}" --batch 8 -q --json "$json" > /dev/null
  echo "done $name" >&2
}

for eq in "" "--equalize"; do
  suffix=${eq:+-equalize}
  run "squeezenet-dynamicfixed-auto-8$suffix" squeezenet --quant_type DynamicFixed --fl_bitwidths auto --bitwidths 8,8,8 $eq
  run "squeezenet-dynamicfixed-auto-6$suffix" squeezenet --quant_type DynamicFixed --fl_bitwidths auto --bitwidths 6,6,6 $eq
  run "squeezenet-xilinx-8$suffix" squeezenet --bitwidths 8,8,8 $eq
  run "resnet20-dynamicfixed-auto-6$suffix" resnet20 --quant_type DynamicFixed --fl_bitwidths auto --bitwidths 6,6,6 $eq
done

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
with open(os.path.join(out, 'table.md'), 'w') as t:
    t.write('| configuration | images | float top-1 | fixed top-1 | drop (points) | 95% interval | top-1 agreement |\n'
            '|---|---|---|---|---|---|---|\n')
    for f in sorted(os.listdir(out)):
        if not f.endswith('.json') or f.endswith('.xportdnn.json') or f.endswith('.report.json'):
            continue
        j = json.load(open(os.path.join(out, f)))
        ci = j['top1_drop']['ci95_points']
        t.write('| %s | %d | %.2f%% | %.2f%% | %.2f | %.2f to %.2f | %.2f%% |\n'
                % (f[:-5], j['images'], 100 * j['float']['top1'], 100 * j['fixed']['top1'],
                   100 * (j['float']['top1'] - j['fixed']['top1']), ci[0], ci[1], 100 * j['top1_agreement']))
print(open(os.path.join(out, 'table.md')).read())
PY
