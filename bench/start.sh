#!/usr/bin/env bash
# Start latency, side by side: multiprocessing4j (java.lib.*), the raw JVM floor (java.raw.*) and
# CPython's multiprocessing (py.*), interleaved java, python, java, python so drift shows.
#
#   bench/start.sh                 # full run (Java 30 trials, CPython 30 trials per method)
#   bench/start.sh --quick         # smoke run: fewer trials on both sides
#   bench/start.sh --trials 50     # Java trials (CPython keeps its own count)
#
# Environment:
#   PYBENCH_DIR  the CPython scripts (default: ../shared/bench/python relative to the repo root);
#                the Python half is skipped with a message if mp_start.py is not there
#   PY_METHODS   start methods for CPython (default: spawn,fork,forkserver)
#   ROUNDS       how many java+python rounds (default: 2)
#   MVN          the Maven command (default: mvn), e.g. MVN="mvn -o"
#
# Not part of `mvn test`: run it by hand on a quiet machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYBENCH_DIR="${PYBENCH_DIR:-$ROOT/../shared/bench/python}"
PY_METHODS="${PY_METHODS:-spawn,fork,forkserver}"
ROUNDS="${ROUNDS:-2}"
MVN="${MVN:-mvn}"

java_args=()
py_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) java_args+=(--quick); py_args+=(--quick) ;;
    --trials) java_args+=(--trials "$2"); shift ;;
    --child-opt) java_args+=(--child-opt "$2"); shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

echo "# bench/start.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -srm), $(nproc 2>/dev/null || echo '?') cpus," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

echo "# building (test-compile, once)"
$MVN -q -B -Dstyle.color=never -DskipTests test-compile

have_python=1
if [ ! -f "$PYBENCH_DIR/mp_start.py" ]; then
  echo "# CPython baseline skipped: $PYBENCH_DIR/mp_start.py not found (set PYBENCH_DIR)"
  have_python=0
elif ! command -v python3 >/dev/null; then
  echo "# CPython baseline skipped: no python3 on PATH"
  have_python=0
fi

for round in $(seq 1 "$ROUNDS"); do
  echo "# ---- round $round/$ROUNDS: java (load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'))"
  $MVN -q -B -Dstyle.color=never exec:exec@bench -Dbench.args="${java_args[*]:-}"
  if [ "$have_python" = 1 ]; then
    echo "# ---- round $round/$ROUNDS: python (load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'))"
    python3 "$PYBENCH_DIR/mp_start.py" --methods "$PY_METHODS" ${py_args[@]+"${py_args[@]}"}
  fi
done
