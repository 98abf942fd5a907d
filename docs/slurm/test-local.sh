#!/usr/bin/env bash
# End-to-end test of sharded runs on a real Slurm scheduler: starts a one-node cluster on this
# machine (installing slurm-wlm and munge when missing), runs a small scenario unsharded, submits
# it as a 3-task array job plus a dependent merge job (submit.sh), waits for them with a time
# limit, and checks that the merged folder holds the unsharded run's files, each byte for byte
# (every CSV and Parquet table, the charts, scenario.toml) but run.json, report.html and
# summary.xlsx, which record the time, threads and command, and the hidden .capsim-files, which
# holds every file's hash, theirs too. The cluster is stopped whatever happens.
#   CAPSIM=target/release/capsim docs/slurm/test-local.sh [WORKDIR]
# Exit 0 only when they are identical.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CAPSIM=$(realpath "${CAPSIM:-$(command -v capsim)}")
export CAPSIM
work=$(realpath -m "${1:-$(mktemp -d)}")
limit=${CAPSIM_SLURM_TIMEOUT:-180}   # s for the jobs to finish
mkdir -p "$work"
chmod 755 "$work"

log() { echo "[test-local] $*" >&2; }
cleanup() {
    rc=$?
    if [ "$rc" -ne 0 ] && [ -d "$work/sharded/logs" ]; then
        tail -n 20 "$work"/sharded/logs/*.log >&2 || true
    fi
    "$here/slurm-local.sh" stop || true
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

cat > "$work/s.toml" <<'TOML'
base = "default"
name = "slurm-test"
replications = 60
years = 3
[population]
size = 20000
TOML

"$here/slurm-local.sh" start
# shellcheck disable=SC1091
source "${SLURM_LOCAL_DIR:-/tmp/slurmlocal}/env"

"$CAPSIM" run "$work/s.toml" --out "$work/plain" >/dev/null 2>&1
merge=$("$here/submit.sh" "$work/s.toml" 3 "$work/sharded")
log "waiting up to ${limit}s for merge job $merge"
for ((i = 0; i < limit * 2; i++)); do
    [ -z "$(timeout 10 squeue -h -o %i 2>/dev/null)" ] && break
    sleep 0.5
done
if [ -n "$(timeout 10 squeue -h -o %i 2>/dev/null)" ]; then
    log "jobs still queued or running after ${limit}s:"
    timeout 10 squeue >&2 || true
    exit 1
fi
state=$(timeout 10 scontrol show job "$merge" 2>/dev/null | grep -o 'JobState=[A-Z]*' || true)
[ "$state" = "JobState=COMPLETED" ] || { log "merge job $merge: ${state:-unknown state}"; exit 1; }
for k in 1 2 3; do
    [ -f "$work/sharded/shard-$k/shard.json" ] || { log "shard $k wrote nothing"; exit 1; }
done
# The same files, and each byte for byte but the three that record the time, threads and command
# and the list of hashes that includes theirs.
if ! diff <(ls -A "$work/plain") <(ls -A "$work/sharded/merged") >&2; then
    log "the merged folder does not hold the unsharded run's files (< unsharded, > merged)"
    exit 1
fi
compared=0
while IFS= read -r f; do
    case "$f" in run.json | report.html | summary.xlsx | .capsim-files) continue ;; esac
    cmp "$work/plain/$f" "$work/sharded/merged/$f" || { log "$f differs"; exit 1; }
    compared=$((compared + 1))
done < <(ls -A "$work/plain")
for f in world.parquet outcomes.parquet outcomes.csv ledger.parquet summary.csv; do
    [ -f "$work/plain/$f" ] || { log "the unsharded run wrote no $f"; exit 1; }
done
log "3 Slurm array tasks merged: every table equals the unsharded run's ($compared files but run.json, report.html, summary.xlsx and .capsim-files; $work)"
