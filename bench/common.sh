# Helpers shared by the side-by-side benchmark scripts (sourced, not run). Expects ROOT, LOG and
# MVN to be set: everything said or run through these goes to the terminal and to that file.

loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'; }
strip_ansi() { sed -u 's/\x1b\[[0-9;]*m//g'; }

mkdir -p "$(dirname "$LOG")"
: > "$LOG"
say() { echo "$@" | tee -a "$LOG"; }
# Runs a command with its output (ANSI colours stripped) on the terminal and in the log.
logged() { "$@" 2>&1 | strip_ansi | tee -a "$LOG"; }

# Prints the run's header line (script name, time, machine, load, commit; then "$@") and builds
# the test classes once.
start_run() {
  say "# $1: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -srm), $(nproc 2>/dev/null || echo '?') cpus," \
      "load average $(loadavg), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo '+dirty')${2:+, $2}"
  say "# building (test-compile, once)"
  logged $MVN -q -B -Dstyle.color=never -DskipTests test-compile
}
