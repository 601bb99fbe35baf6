#!/usr/bin/env bash
# deskbox audit verify/show against a real log: exit codes and messages.
# Usage: audit_cli_test.sh DESKBOX WRITE_SAMPLE_LOG
set -euo pipefail
deskbox=$1
write_sample=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

log=$dir/audit.jsonl
"$write_sample" "$log"
records=$(wc -l < "$log")
[ "$records" -ge 8 ] || fail "sample log has only $records records"

out=$("$deskbox" audit verify "$log") || fail "verify of an intact log exited $?"
grep -q "$records records, hash chain intact" <<<"$out" || fail "verify said: $out"

out=$("$deskbox" audit show "$log") || fail "show exited $?"
grep -q "P2 click at \[640,400\] \[anthropic\] target=push button 'Rerun deploy'" <<<"$out" || fail "show: $out"
grep -q "P2 A1 approved by alice (uid 1000, pid 4242): checked the run" <<<"$out" || fail "show: $out"
grep -q "session tainted: tree text matched" <<<"$out" || fail "show: $out"
! grep -q "sample-secret" "$log" || fail "a secret reached the log"

# Change one byte of record 4: verify names record 4 and exits 1.
python3 - "$log" "$dir/tampered.jsonl" <<'PY'
import sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')
line = bytearray(lines[3]); i = line.index(b'"data":') + 12
line[i] = ord('Z') if line[i] != ord('Z') else ord('Y')
lines[3] = bytes(line)
open(sys.argv[2], 'wb').write(b'\n'.join(lines))
PY
set +e
out=$("$deskbox" audit verify "$dir/tampered.jsonl"); rc=$?
set -e
[ $rc -eq 1 ] || fail "verify of a tampered log exited $rc"
grep -q "record 4 is broken" <<<"$out" || fail "verify said: $out"
grep -q "records 1-3 verify" <<<"$out" || fail "verify said: $out"

# A torn last line (crash mid-write) is reported, not called tampering.
head -c $(( $(stat -c %s "$log") - 30 )) "$log" > "$dir/torn.jsonl"
out=$("$deskbox" audit verify "$dir/torn.jsonl") || fail "verify of a torn log exited $?"
grep -q "$((records - 1)) records, hash chain intact" <<<"$out" || fail "verify said: $out"
grep -q "the last line is torn" <<<"$out" || fail "verify said: $out"

# Unreadable: exit 2.
set +e
"$deskbox" audit verify "$dir/missing.jsonl" 2>"$dir/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "verify of a missing file exited $rc"
grep -q "missing.jsonl" "$dir/err" || fail "error did not name the file: $(cat "$dir/err")"

# The reviewer commands need a session; without one they fail with the socket path.
set +e
"$deskbox" approvals --socket "$dir/none.sock" 2>"$dir/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "approvals without a session exited $rc"
grep -q "none.sock" "$dir/err" || fail "error did not name the socket: $(cat "$dir/err")"
echo "audit CLI: all checks passed"
