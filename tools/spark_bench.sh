#!/usr/bin/env bash
# Validation throughput with and without --spark: the plain command, --spark local[1] and --spark local[2] on the
# same images, as a Markdown table (images/s from wall time; each run includes its JVM start and, with --spark,
# Spark's start and the executors' net builds: the cost a user sees). Each is run on IMAGES/5 and on IMAGES images,
# and a second table splits its wall time into a fixed cost and a cost per image (the line through the two runs).
#   tools/spark_bench.sh [IMAGES] [MODEL]      IMAGES: how many (default 500); MODEL: cifar10_quick or squeezenet
# Needs ../shared. Run it on an otherwise idle machine: throughput on a shared one measures the other load.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-500}
model=${2:-cifar10_quick}
shared=../shared
case $model in
  cifar10_quick)
    deploy=$shared/models/cifar10_quick/cifar10_quick.prototxt
    weights=$shared/models/cifar10_quick/cifar10_quick_iter_5000.caffemodel
    images=$shared/data/cifar10-test/labels.txt
    preprocessing=(--channel_swap 0,1,2 --mean_file "$shared/data/cifar10-test/mean.npy") ;;
  squeezenet)
    deploy=$shared/models/squeezenet_v1.0/SqueezeNet_deploy.prototxt
    weights=$shared/models/squeezenet_v1.0/squeezenet_v1.0.caffemodel
    images=$shared/data/imagenet-val-500/val.txt
    preprocessing=() ;;
  *) echo "spark_bench.sh: unknown model '$model' (cifar10_quick or squeezenet)" >&2; exit 2 ;;
esac
# Spark is a provided dependency: the build's classpath with it (compile scope includes provided).
mvn -B -q -o package -Dmaven.test.skip=true >&2
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=compile -Dmdep.outputFile=target/spark-classpath.txt >&2
cp="target/xportdnn.jar:$(cat target/spark-classpath.txt)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_WAIT_POLICY=PASSIVE MALLOC_ARENA_MAX=2
run() { java -Xmx2g -cp "$cp" xportdnn.cli.Main "$@"; }
run --deploy_model "$deploy" --weights "$weights" --quantized_deploy_model "$work/q.prototxt" --bitwidths 8,8,8 \
  --calibration_directory "$images" --calibration_size 16 "${preprocessing[@]}" --quiet > /dev/null
small=$((count / 5))
times=()
echo "| run | images | wall s | images/s |"
echo "|---|---|---|---|"
for spark in "" "local[1]" "local[2]"; do
  for n in "$small" "$count"; do
    start=$(date +%s.%N)
    run validate --deploy_model "$work/q.prototxt" --weights "$weights" --images "$images" --count "$n" --quiet \
      ${spark:+--spark "$spark"} > "$work/out.txt"
    end=$(date +%s.%N)
    wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
    times+=("$wall")
    awk -v w="$wall" -v n="$n" -v r="${spark:-plain}" 'BEGIN { printf "| %s | %d | %.1f | %.1f |\n", r, n, w, n / w }'
  done
done
echo
echo "| run | fixed s | ms per image |"
echo "|---|---|---|"
i=0
for spark in plain "local[1]" "local[2]"; do
  awk -v a="${times[i]}" -v b="${times[i + 1]}" -v s="$small" -v n="$count" -v r="$spark" \
    'BEGIN { c = (b - a) / (n - s); printf "| %s | %.1f | %.1f |\n", r, a - c * s, 1000 * c }'
  i=$((i + 2))
done
