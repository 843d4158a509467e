#!/usr/bin/env bash
# Fuzzes xportdnn's readers and command line with Jazzer (coverage-guided), one target after the other.
#
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     e.g. tools/fuzz.sh 60, or tools/fuzz.sh 3600 prototxt image
#
# Targets: prototxt caffemodel image idx npy meanFile (xportdnn.fuzz.ParsersFuzzTest) and cli (xportdnn.cli.CliFuzzTest).
# For hours: nohup tools/fuzz.sh 7200 > fuzz.log &  (two hours per target). Each target's full Jazzer log is
# target/fuzz/<target>.log; a summary line (executions, coverage, findings) is printed per target.
#
# jazzer-junit 0.24 takes the fuzzing time only from @FuzzTest(maxDuration) (a ceiling of 24h there), so this
# script stops each run itself: SIGINT to the run's process group after SECONDS, on which libFuzzer prints its
# final statistics. Inputs that reach new code are kept in .cifuzz-corpus/ (git-ignored) as they are found, so
# later runs continue from them. A finding is written as src/test/resources/.../<Class>Inputs/<target>/crash-*
# and then replays in every plain `mvn test` until fixed (keep it as a regression seed). When ../shared is present,
# a few of its small real files are added to the generated corpus first (never copied into the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(prototxt caffemodel image idx npy meanFile cli)

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
  seed_from_shared caffemodel ../shared/models/lenet/*.caffemodel ../shared/models/cifar10_quick/*.caffemodel
  seed_from_shared npy ../shared/data/cifar10-test/mean.npy
  seed_from_shared meanFile ../shared/data/cifar10-test/mean.npy ../shared/models/*/*.binaryproto
fi

mvn -B -q -o test-compile
mkdir -p target/fuzz
for t in "${targets[@]}"; do
  log="target/fuzz/$t.log"
  echo "== $t: ${seconds}s (log: $log)" >&2
  # its own process group, so that the forked test JVM gets the signal too
  # jazzer.internal.arg.N are libFuzzer's command line (0: its program name): print the executions when stopped
  JAZZER_FUZZ=1 setsid mvn -B -o surefire:test@fuzz-seeds -Dtest="$(class_of "$t")#$t" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-print_final_stats=1 > "$log" 2>&1 &
  pid=$!
  # the JVM needs some time to start and instrument before fuzzing begins; the clock starts at the first input
  for _ in $(seq 1 600); do grep -q "INITED" "$log" && break; kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  end=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 2; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -INT -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -TERM -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  # libFuzzer's status lines come only at new coverage and at powers of two: the final statistics are exact
  runs=$(grep -a "stat::number_of_executed_units" "$log" | tail -n 1 | awk '{print $2}')
  last=$(grep -aE "^#[0-9]+[[:space:]]" "$log" | tail -n 1 | awk '{print $1, $3, $4, $5, $6}')
  findings=$(grep -acE "FuzzTestFinding|== Java Exception|ERROR: libFuzzer" "$log" || true)
  echo "$t: executions: ${runs:-unknown} ; last status: ${last:-none} ; findings: $findings" >&2
done
