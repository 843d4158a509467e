#!/usr/bin/env bash
# Float-vs-fixed accuracy of the real models in ../shared, for the README's accuracy table.
# For each configuration: export (calibrating on 32 images of the dev set), then `validate` on dev-set images not
# used for calibration. Results go to out/accuracy/<config>.json (a configuration whose JSON exists is skipped,
# so the script can be resumed) and the table to out/accuracy/table.md.
# Usage: tools/accuracy_table.sh [SCORED_IMAGES_CIFAR_MNIST]   (default: every image not used for calibration;
# with a count, CIFAR-10 and MNIST rows score a seeded sample of that many; SqueezeNet always scores all 468)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared
out=out/accuracy
mkdir -p "$out"
count=${1:-}

# model: deploy weights images preprocessing-flags labels sample-size-flag uniform-Q.F
declare -A deploy weights images flags labels sample uniform
deploy[squeezenet]=$shared/models/squeezenet_v1.0/SqueezeNet_deploy.prototxt
weights[squeezenet]=$shared/models/squeezenet_v1.0/squeezenet_v1.0.caffemodel
images[squeezenet]=$shared/data/imagenet-val-500/val.txt
flags[squeezenet]=""
labels[squeezenet]=""
sample[squeezenet]=""
uniform[squeezenet]=-4,7,-4
deploy[resnet20]=$shared/models/resnet20_cifar10/res20_deploy.derived.prototxt
weights[resnet20]=$shared/models/resnet20_cifar10/cifar10_res20_iter_64000.caffemodel
images[resnet20]=$shared/data/cifar10-test/labels.txt
flags[resnet20]="--channel_swap 0,1,2 --mean_file $shared/data/cifar10-test/mean.npy"
labels[resnet20]=""
sample[resnet20]="--count"
uniform[resnet20]=0,7,0
deploy[lenet]=$shared/models/lenet_mnist/lenet.prototxt
weights[lenet]=$shared/models/lenet_mnist/lenet_iter_10000.caffemodel
images[lenet]="$shared/data/mnist/t10k-images-idx3-ubyte.gz"
flags[lenet]="--channel_swap 0 --mean_value 0 --input_scale 0.00390625"
labels[lenet]="--labels $shared/data/mnist/t10k-labels-idx1-ubyte.gz"
sample[lenet]="--count"
uniform[lenet]=3,7,3

run() { # name model mode-flags...
  local name=$1 model=$2; shift 2
  local scored=${labels[$model]}
  [[ -n $count && -n ${sample[$model]} ]] && scored="$scored ${sample[$model]} $count"
  local json=$out/$name.json
  [[ -f $json ]] && return
  local q=$out/$name.prototxt w=${weights[$model]} fold=()
  if [[ " $* " == *" --fuse_bn "* ]]; then
    w=$out/$name.caffemodel
    fold=(--quantized_weights "$w")
  fi
  ./xportdnn --deploy_model "${deploy[$model]}" --weights "${weights[$model]}" --quantized_deploy_model "$q" \
      --calibration_directory "${images[$model]}" --calibration_size 32 ${flags[$model]} -q "$@" "${fold[@]}" 2>/dev/null
  ./xportdnn validate --deploy_model "$q" --weights "$w" --images "${images[$model]}" \
      ${flags[$model]} $scored --exclude_calibration --calibration_size 32 --batch 8 -q \
      --json "$json" > /dev/null
  echo "done $name" >&2
}

for model in lenet resnet20 squeezenet; do
  run "$model-xilinx-kl-j-8" $model --bitwidths 8,8,8
  run "$model-xilinx-kl-j-6" $model --bitwidths 6,6,6
  run "$model-dynamicfixed-auto-8" $model --quant_type DynamicFixed --fl_bitwidths auto --bitwidths 8,8,8
  run "$model-dynamicfixed-uniform-8" $model --quant_type DynamicFixed --fl_bitwidths "${uniform[$model]}" --bitwidths 8,8,8
done
run "resnet20-dynamicfixed-auto-fuse_bn-8" resnet20 --quant_type DynamicFixed --fl_bitwidths auto --bitwidths 8,8,8 --fuse_bn
run "resnet20-dynamicfixed-uniform-fuse_bn-8" resnet20 --quant_type DynamicFixed --fl_bitwidths 0,7,0 --bitwidths 8,8,8 --fuse_bn
run "resnet20-dynamicfixed-auto-fuse_bn-6" resnet20 --quant_type DynamicFixed --fl_bitwidths auto --bitwidths 6,6,6 --fuse_bn
for model in resnet20 squeezenet; do
  for m in kl max mse percentile:99.99 aciq-laplace aciq-gauss; do
    run "$model-xilinx-$m-8" $model --bitwidths 8,8,8 --threshold_method $m
  done
  run "$model-dynamicfixed-auto-6" $model --quant_type DynamicFixed --fl_bitwidths auto --bitwidths 6,6,6
done

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
rows = []
for f in sorted(os.listdir(out)):
    if f.endswith('.json') and not f.endswith('.xportdnn.json'):  # not an export's sidecar
        j = json.load(open(os.path.join(out, f)))
        ci = j.get('top1_drop', {}).get('ci95_points')
        rows.append((f[:-5], j['images'], j['float']['top1'], j['fixed']['top1'], ci, j['top1_agreement']))
with open(os.path.join(out, 'table.md'), 'w') as t:
    t.write('| configuration | images | float top-1 | fixed top-1 | drop (points) | 95% interval | top-1 agreement |\n'
            '|---|---|---|---|---|---|---|\n')
    for name, n, f, q, ci, a in rows:
        interval = '%.2f to %.2f' % tuple(ci) if ci else ''
        t.write('| %s | %d | %.2f%% | %.2f%% | %.2f | %s | %.2f%% |\n'
                % (name, n, 100 * f, 100 * q, 100 * (f - q), interval, 100 * a))
print(open(os.path.join(out, 'table.md')).read())
PY
