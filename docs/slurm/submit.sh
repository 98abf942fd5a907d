#!/usr/bin/env bash
# Submits a sharded capsim run to Slurm: an array job of N shards, then a merge job that starts
# only when every shard has succeeded. Prints the merge job's id.
#   docs/slurm/submit.sh SCENARIO.toml N OUTDIR [extra sbatch options…]
# OUTDIR must be on a file system every node sees; logs go to OUTDIR/logs. The jobs run capsim
# as CAPSIM, or the capsim on the PATH here, made an absolute path (the jobs run in OUTDIR).
set -euo pipefail
if [ "$#" -lt 3 ]; then
    echo "usage: $0 SCENARIO.toml N OUTDIR [sbatch options…]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
scenario=$(realpath -e "$1")
shards=$2
case "$shards" in
    '' | *[!0-9]* | 0*) echo "$0: N must be a whole number of shards, 1 or more; found \"$shards\"" >&2; exit 2 ;;
esac
out=$(realpath -m "$3")
shift 3
capsim=${CAPSIM:-$(command -v capsim || true)}
if [ -z "$capsim" ]; then
    echo "$0: no capsim on the PATH: set CAPSIM to the capsim binary (on a file system the nodes see)" >&2
    exit 2
fi
CAPSIM=$(realpath -e "$capsim")
export CAPSIM                       # sbatch passes the environment on to the jobs
mkdir -p "$out/logs"
array=$(sbatch --parsable "$@" --array="1-$shards" --chdir="$out" \
    --output="$out/logs/shard-%a.log" "$here/capsim-array.sbatch" "$scenario" "$shards" "$out")
merge=$(sbatch --parsable "$@" --dependency="afterok:${array%%;*}" --chdir="$out" \
    --output="$out/logs/merge.log" "$here/capsim-merge.sbatch" "$out")
echo "submitted shards as array job ${array%%;*} and the merge as job ${merge%%;*}" >&2
echo "${merge%%;*}"
