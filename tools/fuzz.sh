#!/usr/bin/env bash
# Fuzzes xportdnn's readers and command line with Jazzer (coverage-guided), one target after the other.
#
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     e.g. tools/fuzz.sh 60, or tools/fuzz.sh 3600 prototxt image
#
# Targets: prototxt caffemodel image idx npy meanFile statistics statisticsBody (xportdnn.fuzz.ParsersFuzzTest) and
# cli (xportdnn.cli.CliFuzzTest). CI (.ci/run) runs every target for a few seconds after `mvn -B test`.
# For hours: nohup tools/fuzz.sh 7200 > fuzz.log &  (two hours per target). Each target's full Jazzer log is
# target/fuzz/<target>.log; a summary line (executions, coverage, findings) is printed per target.
#
# jazzer-junit fuzzes only one @FuzzTest per JVM (JAZZER_FUZZ=1), so each target gets its own surefire run. Its
# time comes from libFuzzer's -max_total_time, passed as the last of Jazzer's libFuzzer arguments (the system
# properties jazzer.internal.arg.N, 0 being libFuzzer's program name), which overrides @FuzzTest(maxDuration); the
# clock starts when libFuzzer does, after the JVM has started and instrumented the classes.
# Inputs that reach new code are kept in .cifuzz-corpus/ (git-ignored) as they are found, so later runs continue
# from them. A finding fails the run (exit 1, after the other targets): the script prints the exception and the
# file Jazzer wrote it to, src/test/resources/.../<Class>Inputs/<target>/crash-*, which then replays in every plain
# `mvn test` until fixed (keep it as a regression seed). When ../shared is present, a few of its small real files
# are added to the generated corpus first (never copied into the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(prototxt caffemodel image idx npy meanFile statistics statisticsBody cli)
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "tools/fuzz.sh: SECONDS_PER_TARGET must be a positive whole number, not '$seconds'" >&2; exit 2; }

class_of() { [[ "$1" == cli ]] && echo xportdnn.cli.CliFuzzTest || echo xportdnn.fuzz.ParsersFuzzTest; }

seed_from_shared() { # target, files...
  local dir=".cifuzz-corpus/$(class_of "$1")/$1"
  shift
  mkdir -p "$dir"
  for f in "$@"; do
    if [[ -f "$f" && $(stat -c %s "$f") -lt 2000000 ]]; then cp "$f" "$dir/shared_$(basename "$f")"; fi
  done
}
if [[ -d ../shared ]]; then
  seed_from_shared prototxt ../shared/models/*/*.prototxt
  seed_from_shared caffemodel ../shared/models/lenet*/*.caffemodel ../shared/models/cifar10_quick/*.caffemodel
  seed_from_shared npy ../shared/data/cifar10-test/mean.npy
  seed_from_shared meanFile ../shared/data/cifar10-test/mean.npy ../shared/models/*/*.binaryproto
fi

mvn -B -q test-compile
mkdir -p target/fuzz
failed=()
for t in "${targets[@]}"; do
  log="target/fuzz/$t.log"
  echo "== $t: ${seconds}s (log: $log)" >&2
  status=0
  JAZZER_FUZZ=1 mvn -B surefire:test@fuzz-seeds -Dtest="$(class_of "$t")#$t" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-print_final_stats=1 \
      -Djazzer.internal.arg.2=-max_total_time="$seconds" > "$log" 2>&1 || status=$?
  # (no status line at all when an input of the seed corpus already fails)
  runs=$(grep -a "stat::number_of_executed_units" "$log" | tail -n 1 | awk '{print $2}' || true)
  last=$(grep -aE "^#[0-9]+[[:space:]]" "$log" | tail -n 1 | awk '{print $1, $3, $4, $5, $6}' || true)
  echo "$t: executions: ${runs:-unknown} ; last status: ${last:-none} ; exit $status" >&2
  if [[ $status -ne 0 ]]; then
    failed+=("$t")
    # the exception, its first frames, and where Jazzer saved the input (libFuzzer: "Test unit written to ...")
    grep -a -A3 -E "<<< (FAILURE|ERROR)!$" "$log" | head -n 20 >&2 || true
    grep -a -E "Test unit written to|^Base64:" "$log" | head -n 2 | cut -c1-400 >&2 || true
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "tools/fuzz.sh: failed: ${failed[*]} (full logs in target/fuzz/)" >&2
  exit 1
fi
