#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (Swift with -sanitize=fuzzer,address) and runs each for a
# bounded time against a scratch copy of its corpus in Fuzz/Corpus/<target>. Prints executions and
# exec/s per target; exits non-zero on any crash, invariant violation, leak, timeout or
# out-of-memory, naming the input libFuzzer kept and how to replay it.
#
#   scripts/fuzz.sh [--short] [--time SECONDS] [--merge] [target ...]
#
#   --short          15 s per target (CI) instead of 60 s
#   --time SECONDS   seconds per target
#   --merge          fold the inputs that found new coverage back into Fuzz/Corpus/<target>
#                    (libFuzzer -merge=1 keeps only those that add coverage)
#   target           fuzz-mustache, fuzz-address, fuzz-mime, fuzz-smtp-reply (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(fuzz-mustache fuzz-address fuzz-mime fuzz-smtp-reply)
seconds=60
merge=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --short) seconds=15 ;;
        --time)
            [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --time needs a whole number of seconds, e.g. --time 60" >&2; exit 2; }
            seconds=$2; shift ;;
        --merge) merge=1 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        fuzz-*)
            [[ " ${all_targets[*]} " == *" $1 "* ]] || { echo "fuzz.sh: unknown target '$1' (known: ${all_targets[*]})" >&2; exit 2; }
            targets+=("$1") ;;
        *) echo "fuzz.sh: unknown argument '$1' (usage: scripts/fuzz.sh [--short] [--time SECONDS] [--merge] [target ...])" >&2; exit 2 ;;
    esac
    shift
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# Longest input per target: templates and messages of a few KB; reply streams long enough to
# pass the decoder's 8192-byte line limit; addresses a little over RFC 5321's 254 bytes.
max_len() {
    case "$1" in
        fuzz-mustache) echo 4096 ;;
        fuzz-address) echo 600 ;;
        fuzz-mime) echo 6000 ;;
        fuzz-smtp-reply) echo 12000 ;;
    esac
}

scratch=.build-fuzz
echo "== building the fuzz targets (release, -sanitize=fuzzer,address)"
build_start=$(date +%s)
swift build -c release --package-path Fuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 \
    | grep -vE '^\[[0-9]+/[0-9]+\] |Cannot export local symbol .__asan_extra_spill_area' || true
bin="$scratch/release"
for target in "${targets[@]}"; do
    [ -x "$bin/$target" ] || { echo "fuzz.sh: build failed: $bin/$target missing" >&2; exit 1; }
done
echo "built in $(( $(date +%s) - build_start )) s"

# The Swift runtime's own crash backtracer races ASan's report (and can hang); libFuzzer and
# ASan report crashes themselves.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}symbolize=1:detect_leaks=1"

work=$(mktemp -d "${TMPDIR:-/tmp}/mailer-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts="$scratch/fuzz-artifacts"
mkdir -p "$artifacts"
failed=()
for target in "${targets[@]}"; do
    corpus="$work/$target"
    mkdir -p "$corpus"
    cp Fuzz/Corpus/"$target"/* "$corpus"/
    seeds=$(ls "$corpus" | wc -l)
    dict=()
    [ -f "Fuzz/$target.dict" ] && dict=(-dict="Fuzz/$target.dict")
    log="$artifacts/$target.log"
    echo "== $target: ${seconds} s, max_len $(max_len "$target"), $seeds seeds"
    set +e
    "$bin/$target" "$corpus" "${dict[@]}" \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$target-" >"$log" 2>&1
    status=$?
    set -e
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    echo "$target: ${executions:-?} executions (${rate:-?} exec/s), corpus $seeds -> $(ls "$corpus" | wc -l) inputs"
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        echo "$target FAILED (libFuzzer exit $status); the report:" >&2
        grep -E 'invariant violated|Fatal error|runtime failure|ERROR: |SUMMARY: |ALARM: |out-of-memory|Test unit written to' "$log" | head -20 >&2
        unit=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
        if [ -n "$unit" ]; then
            echo "crashing input: $unit (replay: SWIFT_BACKTRACE=enable=no $bin/$target $unit)" >&2
        fi
        echo "full log: $log" >&2
        continue
    fi
    if [ "$merge" = 1 ]; then
        before=$(ls Fuzz/Corpus/"$target" | wc -l)
        "$bin/$target" -merge=1 -max_len="$(max_len "$target")" Fuzz/Corpus/"$target" "$corpus" >"$artifacts/$target-merge.log" 2>&1
        echo "$target: merged into Fuzz/Corpus/$target ($before -> $(ls Fuzz/Corpus/"$target" | wc -l) inputs)"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzzing: no findings in ${targets[*]}"
