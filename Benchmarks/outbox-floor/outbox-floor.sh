#!/usr/bin/env bash
# outbox-floor.sh - what the outbox's SQLite bookkeeping costs per delivered email at the least:
# outbox-floor.c drains N emails in batches of B through the outbox's own schema, in C (see there).
#
# Usage: Benchmarks/outbox-floor/outbox-floor.sh [EMAILS [BATCH [RUNS]]]   (defaults 20000 64 3)
# Needs: gcc and libsqlite3-dev (apt-get install -y gcc libsqlite3-dev), python3.
# The schema is the one the service creates: every statement of Schema.migrations, in order, taken
# from Sources/Outbox/Store/Schema.swift, so the figure follows the schema as it changes.
set -eu
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
EMAILS=${1:-20000}; BATCH=${2:-64}; RUNS=${3:-3}
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/outbox-floor.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FSTYPE=$(stat -f -c %T "$WORK")
if [ "$FSTYPE" = tmpfs ] || [ "$FSTYPE" = ramfs ]; then
  echo "$WORK is on $FSTYPE, where writes cost nothing; set TMPDIR to a disk" >&2; exit 2
fi
python3 - "$ROOT/Sources/Outbox/Store/Schema.swift" >"$WORK/schema.sql" <<'PY'
import re, sys
source = open(sys.argv[1]).read()
block = source[source.index("static let migrations"):source.index("static var currentVersion")]
block = re.sub(r"^\s*//.*$", "", block, flags=re.M)          # Swift comments between the statements
statements = []
for m in re.finditer(r'"""\n(.*?)\n\s*"""|"((?:[^"\\]|\\.)*)"', block, re.S):
    text = m.group(1) if m.group(1) is not None else m.group(2)
    statements.append(re.sub(r"--[^\n]*", "", text).strip())
if not statements or not statements[0].startswith("CREATE TABLE messages"):
    sys.exit("could not read Schema.migrations from %s" % sys.argv[1])
print(";\n".join(statements) + ";")
PY
gcc -O2 -o "$WORK/outbox-floor" "$HERE/outbox-floor.c" -lsqlite3
echo "# outbox-floor: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $EMAILS emails, batches of $BATCH, database on $FSTYPE"
for ((run = 1; run <= RUNS; run++)); do
  rm -f "$WORK"/outbox.sqlite3*
  "$WORK/outbox-floor" "$WORK/schema.sql" "$WORK/outbox.sqlite3" "$EMAILS" "$BATCH"
done
