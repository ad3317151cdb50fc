#!/usr/bin/env bash
# Start latency, side by side: multiprocessing4j (java.lib.*: spawn; java.warm.*: forkserver, a
# spare JVM ready, and java.rawwarm.*: a raw JVM waiting on its stdin, the floor under it), the raw JVM floor (java.raw.*) and CPython's multiprocessing (py.<method>.*),
# interleaved java, python, java, python so drift shows; then a table of the medians over the rounds.
#
#   bench/start.sh                 # full run (Java 30 trials, CPython 30 trials per method)
#   bench/start.sh --quick         # smoke run: fewer trials on both sides
#   bench/start.sh --trials 50     # Java trials (CPython keeps its own count)
#   bench/start.sh --warm-settle-ms 200    # pause before each timed java.warm.* trial, once the spares are warm (default 50)
#   bench/start.sh --no-warm       # without the java.warm.* metrics
#   bench/start.sh --cds --short-lived   # lib/warm children with classDataSharing(true) and
#                                        # shortLived(true) (--cds needs a class path of jars)
#
# The StartBench JVM runs with -Dmultiprocessing4j.spares=8 (read once per JVM), so that
# java.warm.start8_join finds 8 spares; its children do not get this property.
#
# Environment:
#   PYBENCH_DIR  the CPython scripts (default: ../shared/bench/python relative to the repo root);
#                the Python half is skipped with a message if mp_start.py is not there
#   PY_METHODS   start methods for CPython (default: spawn,fork,forkserver)
#   ROUNDS       how many java+python rounds (default: 2)
#   MVN          the Maven command (default: mvn), e.g. MVN="mvn -o"
#   LOG          where the raw output goes too (default: target/bench-start-<time>.log)
#
# Not part of `mvn test`: run it by hand on a quiet machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYBENCH_DIR="${PYBENCH_DIR:-$ROOT/../shared/bench/python}"
PY_METHODS="${PY_METHODS:-spawn,fork,forkserver}"
ROUNDS="${ROUNDS:-2}"
MVN="${MVN:-mvn}"
LOG="${LOG:-$ROOT/target/bench-start-$(date -u +%Y%m%dT%H%M%SZ).log}"
# JVM options of the StartBench JVM itself. The exec:exec@bench command line is
# "-classpath %classpath ${bench.mainClass} ${bench.args}", so they go with the class name.
BENCH_JVM_OPTS="-Dmultiprocessing4j.spares=8"

java_args=()
py_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) java_args+=(--quick); py_args+=(--quick) ;;
    --trials) java_args+=(--trials "$2"); shift ;;
    --child-opt) java_args+=(--child-opt "$2"); shift ;;
    --warm-settle-ms) java_args+=(--warm-settle-ms "$2"); shift ;;
    --no-warm) java_args+=(--no-warm) ;;
    --cds) java_args+=(--cds) ;;
    --short-lived) java_args+=(--short-lived) ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# loadavg, strip_ansi, say, logged and start_run; the log file starts empty.
source "$ROOT/bench/common.sh"

start_run bench/start.sh

have_python=1
if [ ! -f "$PYBENCH_DIR/mp_start.py" ]; then
  say "# CPython baseline skipped: $PYBENCH_DIR/mp_start.py not found (set PYBENCH_DIR)"
  have_python=0
elif ! command -v python3 >/dev/null; then
  say "# CPython baseline skipped: no python3 on PATH"
  have_python=0
fi

for round in $(seq 1 "$ROUNDS"); do
  say "# ---- round $round/$ROUNDS: java (load average $(loadavg))"
  logged $MVN -q -B -Dstyle.color=never exec:exec@bench \
    -Dbench.mainClass="$BENCH_JVM_OPTS io.github.multiprocessing4j.bench.StartBench" -Dbench.args="${java_args[*]:-}"
  if [ "$have_python" = 1 ]; then
    say "# ---- round $round/$ROUNDS: python (load average $(loadavg))"
    logged python3 "$PYBENCH_DIR/mp_start.py" --methods "$PY_METHODS" ${py_args[@]+"${py_args[@]}"}
  fi
done

if ! command -v python3 >/dev/null; then
  say "# no python3: no summary (raw output in $LOG)"
  exit 0
fi

say ""
say "# ==== summary: median over the rounds of each run's median; raw output in $LOG"
summary="$(python3 - "$LOG" "$PY_METHODS" <<'EOF'
import re, statistics, sys
from collections import defaultdict

log, py_methods = sys.argv[1], sys.argv[2].split(',')
vals = defaultdict(list)          # metric -> per-round medians, in order
units = {}
for line in open(log, encoding='utf-8', errors='replace'):
    m = re.match(r'\s*((?:java|py)\.[\w.]+)=([-+0-9.eE]+) (\S+)', line)
    if m:
        vals[m.group(1)].append(float(m.group(2)))
        units[m.group(1)] = m.group(3)

# Java variants, in row order, and the CPython start methods each is naturally compared with
# (the first gives the ratio by round): lib (a JVM launched per start) against spawn, warm (a
# spare JVM ready) against forkserver and fork, raw (no library) against spawn.
VARIANTS = [('lib', ['spawn']), ('warm', ['forkserver', 'fork']), ('raw', ['spawn'])]
SUFFIXES = ['first_start_join', 'start_join', 'start_only', 'time_to_target', 'start8_join']
for k in vals:                    # metrics added later
    suffix = k.split('.', 2)[2]
    if suffix not in SUFFIXES:
        SUFFIXES.append(suffix)

def fmt(v):
    a = abs(v)
    return f"{v:.0f}" if a >= 1000 else f"{v:.1f}" if a >= 100 else f"{v:.3g}"

def med(k):
    return statistics.median(vals[k]) if k in vals else None

methods = [m for m in py_methods if any(k.startswith(f'py.{m}.') for k in vals)]
hdr = (['metric', 'unit', 'java'] + [f'py {m}' for m in methods] + [f'java/{m}' for m in methods]
       + ['compare with', 'java rounds', 'java/py by round'])
out = [hdr]
for suffix in SUFFIXES:
    java_rows = 0
    for variant, natural in VARIANTS:
        jk = f'java.{variant}.{suffix}'
        if jk not in vals:
            continue
        java_rows += 1
        j = med(jk)
        pys = [med(f'py.{m}.{suffix}') for m in methods]
        cmp = [m for m in natural if m in methods]
        pr = vals.get(f'py.{cmp[0]}.{suffix}', []) if cmp else []  # round r of each side ran together
        out.append([f'{variant}.{suffix}', units[jk], fmt(j)]
                   + [fmt(p) if p is not None else '-' for p in pys]
                   + [f'{j / p:.2f}' if p else '-' for p in pys]
                   + [' '.join(cmp), ' '.join(fmt(v) for v in vals[jk]),
                      ' '.join(f'{a / b:.2f}' for a, b in zip(vals[jk], pr) if b)])
    pys = [med(f'py.{m}.{suffix}') for m in methods]
    if java_rows == 0 and any(p is not None for p in pys):   # CPython metrics with no Java counterpart
        unit = next(units[f'py.{m}.{suffix}'] for m in methods if f'py.{m}.{suffix}' in units)
        out.append([f'(py only) {suffix}', unit, '-'] + [fmt(p) if p is not None else '-' for p in pys]
                   + ['-'] * len(methods) + ['', '', ''])

w = [max(len(r[i]) for r in out) for i in range(len(hdr))]
for i, r in enumerate(out):
    print('  '.join(c.ljust(w[n]) if n < 2 or n >= len(hdr) - 3 else c.rjust(w[n]) for n, c in enumerate(r)).rstrip())
    if i == 0:
        print('  '.join('-' * x for x in w))
print("# ratio = java / CPython, both medians (ms): < 1 means java is faster. lib: spawn, a JVM launched per"
      " start; warm: forkserver with a spare JVM ready (Multiprocessing.awaitSpares, then the pause noted on its lines); raw: a plain"
      " ProcessBuilder JVM, no library. 'compare with': the CPython methods each is like; the ratio by round"
      " is against the first.")
EOF
)"
say "$summary"
