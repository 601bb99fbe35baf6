#!/usr/bin/env bash
# deskbox token add|list|revoke as a user runs them: the token is printed once,
# never stored in clear, listed and revoked by name, bad input named.
# Usage: token_cli_test.sh DESKBOX
set -euo pipefail
deskbox=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export DESKBOX_TOKEN_DIR=$dir
fail() { echo "FAIL: $*" >&2; exit 1; }

token=$("$deskbox" token add ci-bot 2>"$dir/err") || fail "add exited $?"
[[ $token == dbx_agent_* ]] || fail "add printed '$token'"
grep -q "shown only now" "$dir/err" || fail "add did not warn that the token is shown once: $(cat "$dir/err")"
! grep -q "${token#dbx_agent_}" "$dir/agent.json" || fail "the token is stored in clear"

out=$("$deskbox" token list)
grep -q "^ci-bot " <<<"$out" || fail "list: $out"
"$deskbox" token list --json | python3 -c 'import json,sys; t=json.load(sys.stdin); assert t[0]["name"]=="ci-bot" and t[0]["revoked"] is None, t'

if "$deskbox" token add ci-bot >/dev/null 2>"$dir/err"; then fail "a second token for one name was made"; fi
grep -q "already exists" "$dir/err" || fail "duplicate add said: $(cat "$dir/err")"
if "$deskbox" token add "bad name" >/dev/null 2>"$dir/err"; then fail "a bad name was accepted"; fi
grep -q "token name 'bad name'" "$dir/err" || fail "bad name said: $(cat "$dir/err")"

"$deskbox" token revoke ci-bot >/dev/null || fail "revoke exited $?"
"$deskbox" token list --json | python3 -c 'import json,sys; t=json.load(sys.stdin); assert t[0]["revoked"] is not None, t'
if "$deskbox" token revoke ci-bot 2>"$dir/err"; then fail "revoking twice succeeded"; fi
grep -q "no active token named 'ci-bot'" "$dir/err" || fail "second revoke said: $(cat "$dir/err")"
set +e; "$deskbox" token >/dev/null 2>&1; rc=$?; set -e
[ "$rc" -eq 64 ] || fail "'deskbox token' without a subcommand exited $rc, not 64"
echo "token CLI: ok"
