#!/usr/bin/env bash
# The cluster pool against the local Pool in one run (ClusterBench): overhead (1 embedded member),
# spread (3 member JVMs), trivial-task items/s, and the submitting JVM's cost per chunk; cluster
# and local rounds alternate; a summary table of medians and ratios ends the output.
#
#   bench/cluster.sh                 # 5 rounds, 1,000 x 10 ms tasks, 100k trivial items
#   bench/cluster.sh --quick         # 2 rounds, 200 tasks, 20k items
#   bench/cluster.sh --rounds 7 --only overhead,spread
#
# Options go to io.github.multiprocessing4j.bench.ClusterBench (see its javadoc). JVM flags for the
# bench JVM: JAVA_OPTS. MVN: the Maven command (default: mvn -o). Raw output: target/bench-cluster-<time>.log.
#
# Not part of `mvn test`: run it by hand, on a quiet machine for figures worth publishing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MVN="${MVN:-mvn -o}"
mkdir -p target
LOG="target/bench-cluster-$(date -u +%Y%m%dT%H%M%SZ).log"
$MVN -q -B test-compile -Djacoco.skip=true >&2
$MVN -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-cp.txt >&2
CP="$ROOT/target/classes:$ROOT/target/test-classes:$(cat target/bench-cp.txt)"
echo "# bench/cluster.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -srm), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo '+dirty')" | tee "$LOG"
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "$CP" io.github.multiprocessing4j.bench.ClusterBench "$@" 2>&1 | tee -a "$LOG"
