# Helpers shared by the side-by-side benchmark scripts (sourced, not run). Expects LOG to be set:
# everything said or run through these goes to the terminal and to that file.

loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'; }
strip_ansi() { sed -u 's/\x1b\[[0-9;]*m//g'; }

mkdir -p "$(dirname "$LOG")"
: > "$LOG"
say() { echo "$@" | tee -a "$LOG"; }
# Runs a command with its output (ANSI colours stripped) on the terminal and in the log.
logged() { "$@" 2>&1 | strip_ansi | tee -a "$LOG"; }
