#!/usr/bin/env bash
# Inter-process communication, side by side: multiprocessing4j (java.*) and CPython's
# multiprocessing (py.<method>.*), alternating python, java, python, java so drift shows; then a
# table of the medians over the rounds and the ratios java/CPython.
#
#   bench/ipc.sh                   # 3 rounds of every benchmark below
#   bench/ipc.sh --rounds 2 --quick
#   bench/ipc.sh --only pipe --java-args "--jit-warmup 0"
#
# Benchmarks (skipped while the Java class does not exist; without the script, the Java half runs alone):
#   pipe   io.github.multiprocessing4j.bench.PipeBench   mp_pipe.py
#   queue  io.github.multiprocessing4j.bench.QueueBench  mp_queue.py,mp_queue2.py
#   pool     io.github.multiprocessing4j.bench.PoolBench     mp_pool.py
#   futures  io.github.multiprocessing4j.bench.FuturesBench  mp_futures.py
#   sync     io.github.multiprocessing4j.bench.SyncBench     mp_sync.py (uncontended lock, event wake latency,
#            idle waiter CPU, semaphore and condition hand-offs; reentrantlock_uncontended is Java only)
#   value    io.github.multiprocessing4j.bench.ValueBench    mp_value.py
#   manager  io.github.multiprocessing4j.bench.ManagerBench  mp_manager.py,mp_manager_floor.py (start to first dict call, dict
#            set/get and namespace round trips, list appends from 4 children)
# (scripts are looked up in bench/ first, then in PYBENCH_DIR; several are comma-separated)
#
# Options:
#   --rounds N        python+java rounds (default: $ROUNDS or 3)
#   --quick           smoke run: fewer trials on both sides
#   --only NAME       one benchmark (pipe, queue, pool, futures, sync, value, manager)
#   --java-args "..." extra options for the Java mains (e.g. "--jit-warmup 0", "--child-opt -Xint")
#
# Environment:
#   PYBENCH_DIR  the CPython scripts (default: ../shared/bench/python relative to the repo root)
#   PY_METHODS   start methods for CPython (default: spawn,fork); ratios are against the first
#   MVN          the Maven command (default: mvn), e.g. MVN="mvn -o"
#   LOG          where the raw output goes too (default: target/bench-ipc-<time>.log)
#
# Not part of `mvn test`: run it by hand on a quiet machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PYBENCH_DIR="${PYBENCH_DIR:-$ROOT/../shared/bench/python}"
PY_METHODS="${PY_METHODS:-spawn,fork}"
ROUNDS="${ROUNDS:-3}"
MVN="${MVN:-mvn}"
LOG="${LOG:-$ROOT/target/bench-ipc-$(date -u +%Y%m%dT%H%M%SZ).log}"

# name  Java main class (test sources)  CPython script. Add a line to add a benchmark.
BENCHES=(
  "pipe  io.github.multiprocessing4j.bench.PipeBench   mp_pipe.py"
  "queue io.github.multiprocessing4j.bench.QueueBench  mp_queue.py,mp_queue2.py"
  "pool io.github.multiprocessing4j.bench.PoolBench mp_pool.py"
  "futures io.github.multiprocessing4j.bench.FuturesBench mp_futures.py"
  "sync io.github.multiprocessing4j.bench.SyncBench mp_sync.py"
  "value io.github.multiprocessing4j.bench.ValueBench mp_value.py"
  "manager io.github.multiprocessing4j.bench.ManagerBench mp_manager.py,mp_manager_floor.py"
)

quick=0
only=""
java_extra=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --quick) quick=1 ;;
    --only) only="$2"; shift ;;
    --java-args) java_extra="$2"; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# loadavg, strip_ansi, say, logged and start_run; the log file starts empty.
source "$ROOT/bench/common.sh"

start_run bench/ipc.sh "rounds $ROUNDS"

have_python=1
if ! command -v python3 >/dev/null; then
  say "# CPython baseline skipped: no python3 on PATH"
  have_python=0
fi

# The benchmarks to run, "name class script py_ok": those whose Java class exists.
selected=()
for b in "${BENCHES[@]}"; do
  read -r name cls script <<<"$b"
  if [ -n "$only" ] && [ "$only" != "$name" ]; then
    continue
  fi
  if [ ! -f "target/test-classes/$(echo "$cls" | tr . /).class" ]; then
    say "# $name: skipped, $cls does not exist (yet)"
    continue
  fi
  py_ok=$have_python
  paths=""
  for sc in ${script//,/ }; do
    if [ "$sc" = "-" ]; then
      py_ok=0 # no CPython counterpart
      paths=",-"
    elif [ -f "$ROOT/bench/$sc" ]; then
      paths="$paths,$ROOT/bench/$sc"
    elif [ -f "$PYBENCH_DIR/$sc" ]; then
      paths="$paths,$PYBENCH_DIR/$sc"
    else
      say "# $name: CPython side skipped, $sc not found in bench/ or $PYBENCH_DIR (set PYBENCH_DIR)"
      py_ok=0
    fi
  done
  selected+=("$name $cls ${paths#,} $py_ok")
done
if [ ${#selected[@]} = 0 ]; then
  say "# nothing to run"
  exit 1
fi

java_args="$java_extra"
py_args=()
if [ "$quick" = 1 ]; then
  java_args="--quick $java_args"
  py_args+=(--quick)
fi

for round in $(seq 1 "$ROUNDS"); do
  for s in "${selected[@]}"; do
    read -r name cls script py_ok <<<"$s"
    if [ "$py_ok" = 1 ]; then
      say "# ---- round $round/$ROUNDS: $name, python (load average $(loadavg))"
      for sc in ${script//,/ }; do
        logged python3 "$sc" --methods "$PY_METHODS" ${py_args[@]+"${py_args[@]}"}
      done
    fi
    say "# ---- round $round/$ROUNDS: $name, java (load average $(loadavg))"
    logged $MVN -q -B -Dstyle.color=never exec:exec@bench -Dbench.mainClass="$cls" -Dbench.args="$java_args"
  done
done

if [ "$have_python" = 0 ]; then
  say "# no python3: no summary (raw output in $LOG)"
  exit 0
fi

say ""
say "# ==== summary: median over the rounds of each run's median; raw output in $LOG"
summary="$(python3 - "$LOG" "${PY_METHODS%%,*}" "$PY_METHODS" <<'EOF'
import re, statistics, sys
from collections import defaultdict

log, ref, py_methods = sys.argv[1], sys.argv[2], sys.argv[3].split(',')
vals = defaultdict(list)          # metric -> per-round medians, in order
units = {}
for line in open(log, encoding='utf-8', errors='replace'):
    m = re.match(r'\s*((?:java|py)\.[\w.]+)=([-+0-9.eE]+) (\S+)', line)
    if m:
        vals[m.group(1)].append(float(m.group(2)))
        units[m.group(1)] = m.group(3)

# The goals of the issue, as java/CPython-<ref> ratios: ('<=', x) for latency, ('>=', x) for throughput.
# Keyed by the metric's last component, or (GOALS_RE) by a pattern over the whole name after 'java.'.
GOALS = {'rtt_bytes8': ('<=', 1), 'rtt_dict': ('<=', 1), 'tput_1k': ('>=', 2), 'tput_1m': ('>=', 10),
         'tput_dict': ('>=', 3), 'int': ('>=', 3), 'dict': ('>=', 3)}
# Pools: the warm trivial map is timed (ms), so 2x CPython's throughput is a time ratio <= 0.5;
# 'ideal' compares java alone with items x 1 ms / 2 workers (read from the name, map_cpu_<items>x1ms).
GOALS_RE = [(r'pool\.map_trivial_\d+k\.warm', ('<=', 0.5)),
            (r'pool\.apply_async_rtt', ('<=', 0.5)),
            (r'pool\.map_cpu_\d+x1ms\.warm', ('ideal', 1.05))]

def goal_of(suffix):
    for pat, g in GOALS_RE:
        if re.fullmatch(pat, suffix):
            return g
    return GOALS.get(suffix.rsplit('.', 1)[-1])

def py_key(m, suffix):
    """the CPython metric of a java one: py.<method>.<suffix>, or py.<suffix> for method-less ones (py.serial.*)"""
    if f'py.{m}.{suffix}' in vals:
        return f'py.{m}.{suffix}'
    return f'py.{suffix}' if m == ref else None

def fmt(v):
    a = abs(v)
    return f"{v:.0f}" if a >= 1000 else f"{v:.1f}" if a >= 100 else f"{v:.3g}"

methods = [m for m in py_methods if any(k.startswith(f'py.{m}.') for k in vals)]
rows = []
for k in vals:
    if not k.startswith('java.'):
        continue
    suffix = k[len('java.'):]                     # e.g. pipe.rtt_bytes8
    rows.append(suffix)
for k in vals:                                     # CPython metrics with no Java counterpart yet
    if k.startswith('py.'):
        rest = k.split('.', 2)
        suffix = rest[2] if rest[1] in py_methods else k[len('py.'):]
        if suffix not in rows:
            rows.append(suffix)

hdr = (['metric', 'unit', 'java'] + [f'py {m}' for m in methods] + [f'java/{m}' for m in methods]
       + ['better', 'goal', 'java rounds', f'java/{ref} by round'])
out = [hdr]
for suffix in rows:
    jk = 'java.' + suffix
    unit = units.get(jk) or next((units[py_key(m, suffix)] for m in methods if py_key(m, suffix) in units), '')
    lower = unit in ('us', 'ms', 's', 'ns', 'ms/s')   # ms/s: CPU of an idle waiter
    j = statistics.median(vals[jk]) if jk in vals else None
    row = [suffix, unit, fmt(j) if j is not None else '-']
    pys = []
    for m in methods:
        pk = py_key(m, suffix)
        pys.append(statistics.median(vals[pk]) if pk in vals else None)
        row.append(fmt(pys[-1]) if pys[-1] is not None else '-')
    ratios = [j / p if j is not None and p else None for p in pys]
    row += [f'{r:.2f}' if r is not None else '-' for r in ratios]
    row.append('lower' if lower else 'higher')
    goal = goal_of(suffix)
    cpu = re.search(r'map_cpu_(\d+)x1ms', suffix)
    if goal and goal[0] == 'ideal' and j is not None and cpu:
        ideal = int(cpu.group(1)) * 1.0 / 2     # ms: items x 1 ms / 2 workers
        row.append(f"<={goal[1]}x ideal {fmt(ideal)}: {j / ideal:.3f} {'met' if j / ideal <= goal[1] else 'MISSED'}")
    elif goal and goal[0] != 'ideal' and ratios and ratios[0] is not None:
        op, x = goal
        ok = ratios[0] <= x if op == '<=' else ratios[0] >= x
        row.append(f"{op}{x}: {'met' if ok else 'MISSED'}")
    else:
        row.append('')
    row.append(' '.join(fmt(v) for v in vals.get(jk, [])))
    pr = vals.get(py_key(ref, suffix), [])   # rounds alternate, so round r of each side ran together
    row.append(' '.join(f'{a / b:.2f}' for a, b in zip(vals.get(jk, []), pr) if b))
    out.append(row)

w = [max(len(r[i]) for r in out) for i in range(len(hdr))]
for i, r in enumerate(out):
    print('  '.join(c.ljust(w[n]) if n < 2 or n >= len(hdr) - 4 else c.rjust(w[n]) for n, c in enumerate(r)).rstrip())
    if i == 0:
        print('  '.join('-' * x for x in w))
print(f"# ratio = java / CPython, both medians. Latency (us, 'better lower'): < 1 means java is faster. "
      f"Throughput (MB/s, msgs/s, 'better higher'): > 1 means java is faster. Goals are against py {ref}"
      f" (serial.*, sync.lock_uncontended: the parent alone, under the py {ref} column). Pools: a time ratio <= 0.5 is 2x the"
      f" throughput; 'x ideal' is java's median against items x 1 ms / 2 workers.")
EOF
)"
say "$summary"
