#!/usr/bin/env bash
# Whole-process wall time and peak memory of capsim's three benchmark runs, medians of several
# runs, with the floor of the same cohort model's random draws timed beside each when its binary
# is given. Prints a Markdown table (README "Benchmarks").
#
#   benches/whole_runs.sh                         # capsim alone, 3 runs each
#   FLOOR=path/to/floor RUNS=5 benches/whole_runs.sh
#
# CAPSIM (default target/dist/capsim) is the binary timed; build it with
# `cargo build --profile dist` first: the floor's settings (fat link-time optimisation), so the
# two are compiled alike. CAPSIM=target/release/capsim times the tests' build instead. Runs use
# all cores (the floor is given the same count) and write into a temporary folder removed
# afterwards. Needs GNU time (/usr/bin/time).
set -euo pipefail

cd "$(dirname "$0")/.."
CAPSIM=${CAPSIM:-target/dist/capsim}
FLOOR=${FLOOR:-}
RUNS=${RUNS:-3}
THREADS=$(nproc)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

[ -x "$CAPSIM" ] || { echo "no capsim binary at $CAPSIM: cargo build --profile dist" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed" >&2; exit 2; }

# Prints "seconds kilobytes" for one run of the command given.
once() {
    rm -rf "$scratch/out"
    /usr/bin/time -o "$scratch/time" -f "%e %M" "$@" >/dev/null 2>&1
    tail -1 "$scratch/time"
}

# Prints the median of the numbers on stdin.
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# One row: label, capsim arguments, floor arguments.
row() {
    local label=$1 capsim_args=$2 floor_args=$3 c f
    local -a cs=() cm=() fs=()
    for _ in $(seq "$RUNS"); do
        # shellcheck disable=SC2086
        c=$(once "$CAPSIM" run $capsim_args --out "$scratch/out")
        cs+=("${c% *}")
        cm+=("${c#* }")
        if [ -n "$FLOOR" ]; then
            # shellcheck disable=SC2086
            f=$(once "$FLOOR" --mode aggregated --threads "$THREADS" $floor_args)
            fs+=("${f% *}")
        fi
    done
    local cap mem
    cap=$(printf '%s\n' "${cs[@]}" | median)
    mem=$(printf '%s\n' "${cm[@]}" | median)
    if [ -n "$FLOOR" ]; then
        local flo
        flo=$(printf '%s\n' "${fs[@]}" | median)
        printf '| %s | %s s | %s s | %.2f | %d MB |\n' "$label" "$cap" "$flo" \
            "$(echo "$cap / $flo" | bc -l)" $((mem / 1024))
    else
        printf '| %s | %s s | | | %d MB |\n' "$label" "$cap" $((mem / 1024))
    fi
}

echo "| run | capsim | floor | ratio | peak memory |"
echo "|---|---:|---:|---:|---:|"
row "default: 1.5M people, 5 years, 1,000 replications, six contracts" "" ""
row "England: 56.6M people, 10 years, 1,000 replications, five contracts" \
    "scenarios/england.toml" "--people 56550138 --years 10"
row "a 5,300-person population, 5 years, 1,000 replications, six contracts" \
    "--set population.size=5300" "--people 5300"
