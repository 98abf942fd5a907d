#!/usr/bin/env bash
# slurm-local.sh - a throw-away one-node Slurm cluster on this machine, for capsim's scheduler
# test (Debian 12, Slurm 22.05; no systemd, no cgroups; everything under one /tmp folder).
# Usage: slurm-local.sh start|check|stop|all       (installing the packages needs root)
#   start : install if needed, start munged + slurmctld + slurmd, wait until the node is idle
#   check : submit a 4-task array job, wait (bounded), verify its 4 output files, run srun hostname
#   stop  : cancel jobs, shut the daemons down (by recorded PID), delete all state
#   all   : start; check; stop (stop also runs on failure / SIGTERM)
# Clients need:  export SLURM_CONF=$SLURM_LOCAL_DIR/slurm.conf   (or: source $SLURM_LOCAL_DIR/env)
set -euo pipefail

D=${SLURM_LOCAL_DIR:-/tmp/slurmlocal}            # all state, logs, key, config, pids live here
CTLD_PORT=${SLURM_LOCAL_CTLD_PORT:-6817}
SLURMD_PORT=${SLURM_LOCAL_SLURMD_PORT:-6818}
START_TIMEOUT=${SLURM_LOCAL_START_TIMEOUT:-30}  # s to wait for the node to become idle
JOB_TIMEOUT=${SLURM_LOCAL_JOB_TIMEOUT:-120}     # s to wait for the test array job
export SLURM_CONF=$D/slurm.conf
OWN=0
T="timeout 10"                                  # bound every client call (MessageTimeout is 10 s)

log() { echo "[slurm-local] $*" >&2; }
# true if PID exists and is not a zombie (a container PID 1 may reap orphans late; kill -0 succeeds on zombies)
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null || true); [ -n "$s" ] && [ "${s#Z}" = "$s" ]; }
wait_dead() { local i; for ((i = 0; i < $2 * 4; i++)); do alive "$1" || return 0; sleep 0.25; done; return 1; }
stop_pid() { # TERM, wait up to 10 s, then KILL (a slurmd that cannot reach slurmctld needs ~25 s for TERM)
  local p=$1; [ -n "$p" ] || return 0; alive "$p" || return 0
  kill -TERM "$p" 2>/dev/null || true
  wait_dead "$p" 10 || { log "PID $p ignored TERM, sending KILL"; kill -KILL "$p" 2>/dev/null || true; wait_dead "$p" 5 || true; }
}
record_pid() { # record_pid PIDFILE : wait up to 10 s for a daemon's pid file, append the PID to $D/pids
  local i; for ((i = 0; i < 40; i++)); do [ -s "$1" ] && break; sleep 0.25; done
  [ -s "$1" ] || { log "no pid file $1"; return 1; }
  cat "$1" >> "$D/pids"
}
ctld_alive() { [ -s "$D/slurmctld.pid" ] && alive "$(cat "$D/slurmctld.pid")"; }

start() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null || {
    log "installing slurm-wlm + munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
  }
  [ ! -e "$D/pids" ] || { log "$D/pids exists: cluster already running? run '$0 stop' first"; exit 1; }
  rm -rf "$D"; mkdir -p "$D/munge" "$D/state" "$D/spool" "$D/log"
  chmod 755 "$D" "$D/munge"   # munged: socket dir needs o+x; key owned by munged's user, mode 0400
  : > "$D/pids"; OWN=1                 # from here on, a failure cleans up what we started

  # --- munge: as the current user, everything under $D (nothing in /etc, /run, /var is used) ---
  dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$D/munge/munge.key"
  munged --socket="$D/munge/munge.socket" --key-file="$D/munge/munge.key" \
         --log-file="$D/munge/munged.log" --pid-file="$D/munge/munged.pid" --seed-file="$D/munge/munged.seed"
  record_pid "$D/munge/munged.pid"
  munge -S "$D/munge/munge.socket" -n | unmunge -S "$D/munge/munge.socket" >/dev/null \
    || { log "munge self-test failed"; cat "$D/munge/munged.log" >&2; return 1; }

  # --- slurm.conf: one node = this machine, with its real CPUs/memory as slurmd -C reports ---
  local H NODE U i
  H=$(hostname -s); U=$(id -un)
  NODE=$(slurmd -C | head -n1 | sed 's/^NodeName=[^ ]* //')   # CPUs=.. Boards=.. ... RealMemory=..
  cat > "$D/slurm.conf" <<EOF
ClusterName=cilocal
SlurmctldHost=$H(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$D/munge/munge.socket
SlurmUser=$U
SlurmdUser=$U
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
NodeName=$H NodeAddr=127.0.0.1 $NODE State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  echo "export SLURM_CONF=$D/slurm.conf" > "$D/env"

  # --- daemons (they daemonize themselves and write pid files) ---
  slurmctld -f "$D/slurm.conf";        record_pid "$D/slurmctld.pid"
  slurmd -f "$D/slurm.conf" -N "$H";   record_pid "$D/slurmd.pid"
  for ((i = 0; i < START_TIMEOUT * 2; i++)); do
    alive "$(cat "$D/slurmctld.pid")" && alive "$(cat "$D/slurmd.pid")" || break   # died: fail fast
    [ "$($T sinfo -h -o %T 2>/dev/null)" = idle ] && break
    sleep 0.5
  done
  if [ "$($T sinfo -h -o %T 2>/dev/null)" != idle ]; then
    log "node not idle (timeout ${START_TIMEOUT}s or a daemon died); last log lines:"
    tail -n 5 "$D/log/slurmctld.log" "$D/log/slurmd.log" >&2 || true; return 1
  fi
  log "cluster up: $($T sinfo -h -o '%P %T %N %c CPUs')  (SLURM_CONF=$D/slurm.conf)"
}

check() {
  local out=/tmp/slurmtest jid i
  rm -rf "$out"; mkdir -p "$out"; chmod 777 "$out"       # --output dir must exist beforehand
  jid=$($T sbatch --parsable --array=0-3 --chdir="$out" --output="$out/slurm-%A_%a.log" \
        --wrap 'echo task $SLURM_ARRAY_TASK_ID > /tmp/slurmtest/out_$SLURM_ARRAY_TASK_ID.txt')
  log "submitted array job $jid"
  for ((i = 0; i < JOB_TIMEOUT * 2; i++)); do
    [ -z "$($T squeue -h -j "$jid" -o %i 2>/dev/null)" ] && break; sleep 0.5
  done
  [ -z "$($T squeue -h -j "$jid" -o %i 2>/dev/null)" ] || { log "job $jid not done after ${JOB_TIMEOUT}s"; $T squeue >&2; return 1; }
  for i in 0 1 2 3; do
    grep -qx "task $i" "$out/out_$i.txt" || { log "missing/wrong $out/out_$i.txt"; ls -l "$out" >&2; return 1; }
  done
  [ "$(timeout 30 srun -N1 -n1 hostname)" = "$(hostname -s)" ] || { log "srun hostname failed"; return 1; }
  log "array job $jid: 4/4 outputs OK; srun OK"
  rm -rf "$out"
}

stop() {
  [ -e "$D/pids" ] || { log "nothing to stop ($D/pids missing)"; rm -rf "$D"; return 0; }
  if ctld_alive; then
    # cancel jobs and let them drain first: if slurmctld goes away while a job is ending,
    # slurmd retries "epilog complete" for ~10 s before it exits
    local i
    $T squeue -h -o %A 2>/dev/null | xargs -r $T scancel 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do [ -z "$($T squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.25; done
    $T scontrol shutdown 2>/dev/null || true            # stops slurmctld and slurmd
  fi
  local p; for p in $(tac "$D/pids"); do stop_pid "$p"; done   # slurmd, slurmctld, munged: by recorded PID
  rm -rf "$D"
  log "stopped and removed $D"
}

trap 'exit 143' TERM; trap 'exit 130' INT     # so the EXIT traps below also run under `timeout`
case "${1:-all}" in
  start) trap 'rc=$?; [ "$rc" -eq 0 ] || [ "$OWN" = 0 ] || { log "start failed (rc=$rc), cleaning up"; stop; }; exit "$rc"' EXIT; start ;;
  check) check ;;
  stop)  stop ;;
  all)   trap 'rc=$?; [ "$OWN" = 0 ] || stop; exit "$rc"' EXIT; start; check ;;
  *) echo "usage: $0 start|check|stop|all" >&2; exit 2 ;;
esac
