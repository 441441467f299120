#!/usr/bin/env bash
# JSONReader and JSONWriter against JSONDecoder and JSONEncoder on JSONValue, on the verification
# body and a 2 KB nested one: ns per call of each.
#
#   Benchmarks/json-bench.sh [CASE|all] [ITERATIONS]      (default: all 100000)
#
# CASE: decoder-small decoder-large reader-small reader-large encoder-answer encoder-large
# writer-answer writer-large ("large" cases run ITERATIONS/10 times). One case at a time suits
# valgrind --tool=callgrind: instructions per call = (Ir at 2N - Ir at N) / (1.1 N).
#
# Built with swiftc -O from the service's own files (JSONValue, JSONReader, JSONWriter, and
# MustacheRenderer for JSONValue's template conversion), without resolving any package.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/json-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT
mapfile -t mustache < <(find "$root/Sources/MustacheRenderer" -name '*.swift' | sort)
swiftc -O -parse-as-library -module-name MustacheRenderer -emit-module -emit-module-path "$out/MustacheRenderer.swiftmodule" \
    -emit-library -static -o "$out/libMustacheRenderer.a" "${mustache[@]}"
swiftc -O -I "$out" -L "$out" -lMustacheRenderer -o "$out/json-bench" \
    "$root/Sources/MailerService/HTTP/JSONValue.swift" "$root/Sources/MailerService/HTTP/JSONValue+Literals.swift" \
    "$root/Sources/MailerService/HTTP/JSON/JSONReader.swift" "$root/Sources/MailerService/HTTP/JSON/JSONWriter.swift" \
    "$root/Sources/MailerService/HTTP/Limits/JSONPath.swift" \
    "$root/Benchmarks/json-bench/main.swift" "$root/Benchmarks/json-bench/JSONLimits.swift"
"$out/json-bench" "${1:-all}" "${2:-100000}"
