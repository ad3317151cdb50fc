#!/usr/bin/env bash
# A/B of one bench main between two checkouts of this repository, runs alternating (A, B, A, B…)
# so that drift of a noisy machine falls on both; then the median of each metric per checkout.
#
#   bench/ab.sh DIR_A DIR_B ROUNDS MAIN_CLASS [ARGS...]
#   bench/ab.sh /tmp/before . 8 io.github.multiprocessing4j.bench.PipeBench --only duplex
#
# Each checkout is built first (`mvn -o -q test-compile`); the bench runs with `java` straight from
# its classes and the test class path. JVM flags for the bench JVM: JAVA_OPTS (e.g. "-Xms1g").
# Raw output: target/bench-ab-<time>.log in the current directory.
#
# Not part of `mvn test`: run it by hand on a quiet machine.
set -euo pipefail

if [ $# -lt 4 ]; then
  sed -n '2,11p' "$0" >&2
  exit 2
fi
A="$(cd "$1" && pwd)"; B="$(cd "$2" && pwd)"; ROUNDS="$3"; MAIN="$4"; shift 4
MVN="${MVN:-mvn -o}"
mkdir -p target
LOG="target/bench-ab-$(date -u +%Y%m%dT%H%M%S).log"

classpath() {
  (cd "$1" && $MVN -q -B test-compile -Djacoco.skip=true \
    && $MVN -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/ab-cp.txt) >&2
  echo "$1/target/classes:$1/target/test-classes:$(cat "$1/target/ab-cp.txt")"
}
CP_A="$(classpath "$A")"; CP_B="$(classpath "$B")"

for i in $(seq 1 "$ROUNDS"); do
  for side in A B; do
    if [ "$side" = A ]; then cp="$CP_A"; dir="$A"; else cp="$CP_B"; dir="$B"; fi
    echo "=== $side round $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)" | tee -a "$LOG"
    # shellcheck disable=SC2086
    (cd "$dir" && java ${JAVA_OPTS:-} -cp "$cp" "$MAIN" "$@") 2>&1 | grep -E '^java\.[a-z_0-9.]+=' | tee -a "$LOG"
  done
done

echo "== medians over $ROUNDS rounds (A = $A, B = $B)"
python3 - "$LOG" <<'PY'
import re, statistics, sys
runs = {}
side = None
for line in open(sys.argv[1]):
    m = re.match(r'=== (A|B) round', line)
    if m:
        side = m.group(1)
        continue
    m = re.match(r'(java\.\S+)=([\d.]+)\s*(\S*)', line)
    if m and side:
        runs.setdefault(m.group(1), {}).setdefault(side, []).append(float(m.group(2)))
        runs[m.group(1)]['unit'] = m.group(3)
for name in sorted(runs):
    r = runs[name]
    a, b = r.get('A', []), r.get('B', [])
    if a and b:
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{name:40s} A {ma:12.4g}  B {mb:12.4g} {r['unit']:8s} B/A {mb / ma if ma else float('nan'):.3f}")
PY
