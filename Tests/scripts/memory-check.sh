#!/usr/bin/env bash
# Measures the peak resident memory of every command that takes --max-memory, on a spread of shapes, beside the
# estimate it refuses by (MemoryEstimate), and fails if a measured peak exceeds its estimate. The estimate is read
# from the refusal at a limit of one byte; the peak is GNU time's maximum resident set size.
#
# Usage: Tests/scripts/memory-check.sh [path/to/hessian-rank]     (default .build/release/hessian-rank)
# Build with `swift build -c release` first. About six minutes on two cores: a benchmark, not part of `swift test`.
set -uo pipefail

binary=${1:-.build/release/hessian-rank}
[[ -x $binary ]] || { echo "memory-check: no executable at $binary (swift build -c release)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "memory-check: needs GNU time at /usr/bin/time" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
count=0

# The estimate in MiB, from "would need about 12.3 MiB" (or GiB, TiB): rounded as printed, so a peak within the rounding
# of its estimate fails, never the other way.
estimate() {
    "$binary" "$@" --max-memory 1 2>&1 >/dev/null | sed -n 's/.*would need about \([0-9.]*\) \([MGT]\)iB.*/\1 \2/p' |
        awk '{ scale = $2 == "M" ? 1 : $2 == "G" ? 1024 : 1048576; printf "%.1f", $1 * scale }'
}

check() {
    local expected=$(estimate "$@")
    if [[ -z $expected ]]; then
        echo "FAIL  no estimate for: $*"; failures=$((failures + 1)); return
    fi
    local start=$SECONDS
    /usr/bin/time -v -o "$work/time" "$binary" "$@" >"$work/stdout" 2>"$work/stderr"
    local status=$?
    local peak=$(awk '/Maximum resident set size/ { printf "%.1f", $6 / 1024 }' "$work/time")
    local ratio=$(awk -v e="$expected" -v m="$peak" 'BEGIN { printf "%.2f", e / m }')
    local verdict=ok
    if [[ $status -ne 0 ]]; then
        verdict="FAIL (exit $status: $(tail -n 1 "$work/stderr"))"; failures=$((failures + 1))
    elif awk -v e="$expected" -v m="$peak" 'BEGIN { exit !(m > e) }'; then
        verdict="FAIL (peak above the estimate)"; failures=$((failures + 1))
    fi
    count=$((count + 1))
    local shown="$*"
    shown=${shown//$work/\$work}
    (( ${#shown} > 70 )) && shown="${shown:0:66}..."
    printf "%-70s %10s %10s %6s %5ss  %s\n" "$shown" "$expected" "$peak" "$ratio" $((SECONDS - start)) "$verdict"
}

printf "%-70s %10s %10s %6s %6s\n" "command" "est. MiB" "peak MiB" "ratio" "time"
# rank: wide, deep, many samples, bottleneck, L = 1; full matrices, certified, generic mode, ReLU.
check rank --arch 64,51,51,10 --samples 100
check rank --arch 200,160 --samples 40
check rank --arch 16,25,25,25,25,25,25,25,25,25,10 --samples 50
check rank --arch 3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,2 --samples 10
deep=$(printf '1,%.0s' {1..200})1
check rank --arch "$deep" --samples 3
check rank --arch "$deep" --samples 3 --field prime
check rank --arch 8,4,2 --samples 200000
check rank --arch 64,2,64,10 --samples 100
check rank --arch 300,20 --samples 40
check rank --arch 64,32,32,10 --samples 100 --full-matrices
check rank --arch 40,40,40,40 --samples 10 --full-matrices
check rank --arch 25,5,10,10 --samples 50 --certify
check rank --arch 30,12,12,5 --samples 40 --certify
check rank --arch 64,51,51,10 --samples 100 --field prime
check rank --arch 16,25,25,25,25,25,25,25,25,25,10 --samples 50 --field prime
check rank --arch 12,8,8,4 --samples 20 --activation relu --seed 2
check rank --arch 20,16,16,16,4 --samples 40 --activation relu --seed 5
check rank --arch 40,30,30,10 --samples 60 --activation relu --seed 6
check rank --arch 8,8,8,8,8,8,8,2 --samples 20 --activation relu
check rank --arch 100,30 --samples 40 --activation relu
check rank --arch 40,30,30,10 --samples 60 --activation leaky-relu:1/8 --seed 6
check rank --arch 20,16,16,16,4 --samples 40 --activation leaky-relu:3/1000 --bias
check rank --arch 40,30,30,10 --samples 60 --bias
check rank --arch 30,20,20,5 --samples 40 --bias --field prime
# certify, with its self-check
check certify --arch 20,20,20,10 --samples 30 --out "$work/c.json"
check certify --arch 30,30,3 --samples 50 --out "$work/c.json"
check certify --arch 11,11,11,11,11,11,11,11,11 --samples 12 --out "$work/c.json"
check certify --arch 1000,1 --samples 5 --out "$work/c.json"
check certify --arch 4,3,2 --samples 2000 --out "$work/c.json"
check certify --arch 10,10,10,10 --samples 20 --activation relu --seed 3 --out "$work/c.json"
check certify --arch 12,10,8,6,4,2 --samples 40 --activation relu --out "$work/c.json"
check certify --arch 8,8,8,8,8,8,8,2 --samples 20 --activation relu --out "$work/c.json"
check certify --arch 16,12,8,4 --samples 30 --activation relu --seed 3 --out "$work/c.json"
check certify --arch 16,12,8,4 --samples 30 --activation leaky-relu:1/8 --bias --out "$work/c.json"
# fixtures
check fixtures --arch 10,10,10,10 --samples 20 --out "$work/f1"
check fixtures --arch 25,5,10,10 --samples 50 --out "$work/f2"
check fixtures --arch 6,4,3,2 --samples 20000 --out "$work/f3"
check fixtures --arch 12,8,8,4 --samples 20 --activation relu --seed 2 --out "$work/f4"
# rank at the weights and data of a fixture (values given exactly)
fixture=$(ls -d "$work"/f2/01-*)
check rank --weights "$fixture" --x "$fixture/x.npy" --y "$fixture/y.npy"
# calibrate
check calibrate --activation linear --arch 64,16,16,10 --samples 100
check calibrate --activation tanh --arch 64,32,32,10 --samples 100
check calibrate --activation all --arch 20,20,20,10 --samples 30
check calibrate --activation relu --arch 16,16,16,16,16,4 --samples 40 --data uniform01
# bias
check bias --arch 20,20,20,10 --samples 30
check bias --arch 64,10,10,10 --samples 100
check bias --arch 5,3,3,3,3,3,3,2 --samples 8
# sweep (the estimate is the largest point's)
check sweep --study samples
check sweep --study depth
check sweep --study depth --activation relu
# bench
check bench --widths 8,16,32 --repeat 1
check bench --widths 8,16 --repeat 1 --full-matrices

echo "$count measured, $failures failed"
[[ $failures -eq 0 ]]
