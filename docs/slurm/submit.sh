#!/usr/bin/env bash
# Submits a sharded capsim run to Slurm: an array job of N shards, then a merge job that starts
# only when every shard has succeeded. Prints the merge job's id.
#   docs/slurm/submit.sh SCENARIO.toml N OUTDIR [extra sbatch options…]
# OUTDIR must be on a file system every node sees; logs go to OUTDIR/logs.
set -euo pipefail
if [ "$#" -lt 3 ]; then
    echo "usage: $0 SCENARIO.toml N OUTDIR [sbatch options…]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
scenario=$(realpath "$1")
shards=$2
out=$(realpath -m "$3")
shift 3
mkdir -p "$out/logs"
array=$(sbatch --parsable "$@" --array="1-$shards" --chdir="$out" \
    --output="$out/logs/shard-%a.log" "$here/capsim-array.sbatch" "$scenario" "$shards" "$out")
merge=$(sbatch --parsable "$@" --dependency="afterok:${array%%;*}" --chdir="$out" \
    --output="$out/logs/merge.log" "$here/capsim-merge.sbatch" "$out")
echo "submitted shards as array job ${array%%;*} and the merge as job ${merge%%;*}" >&2
echo "${merge%%;*}"
