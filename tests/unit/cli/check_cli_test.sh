#!/usr/bin/env bash
# deskbox check and the CLI's help and exit codes, run as a user would.
set -u
bin=${DESKBOX_BIN:?}
root=${DESKBOX_SOURCE_ROOT:?}
fail=0
expect() {  # expect NAME WANTED_RC COMMAND...
  local name=$1 want=$2; shift 2
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" != "$want" ]; then echo "FAIL $name: exit $rc, wanted $want"; echo "$out"; fail=1; else echo "ok   $name"; fi
}
expect_output() {  # expect_output NAME NEEDLE
  if ! grep -qF -- "$2" <<<"$out"; then echo "FAIL $1: output lacks: $2"; echo "$out"; fail=1; else echo "ok   $1"; fi
}

expect admitted 0 "$bin" check "$root/manifests/default.yaml"
expect_output admitted-verdict "verdict    admitted"
expect json 0 "$bin" check --json "$root/manifests/default.yaml"
expect_output json-admitted '"admitted": true'
expect blocked 1 "$bin" check "$root/tests/fixtures/manifests/blocked-domains.yaml"
expect_output blocked-reason "reason   network.allow: domain 'tracker.example' is outside what the policy allows (ci.example)"
expect invalid 2 "$bin" check "$root/tests/fixtures/manifests/typo.yaml"
expect_output invalid-message "typo.yaml:3:3: unknown key 'memroy' in 'sandbox' (did you mean 'memory'?)"
expect missing-file 1 "$bin" check /nonexistent/manifest.yaml
expect_output missing-file-message "deskbox: cannot read manifest /nonexistent/manifest.yaml: No such file or directory"
expect help 0 "$bin" --help
expect_output help-lists-check "check"
expect version 0 "$bin" --version
expect_output version-text "deskbox 0."
expect help-check 0 "$bin" help check
expect_output help-check-exit-codes "Exit codes: 0 admitted, 1 blocked by admission, 2 invalid manifest or policy."
expect help-unknown 64 "$bin" help frobnicate
expect no-command 64 "$bin"
expect bad-option 64 "$bin" check --frob "$root/manifests/default.yaml"
expect example-admitted 0 "$bin" check "$root/examples/ci-incident/manifest.yaml"
expect_output example-verdict "verdict    admitted"
# deskbox demo reads its trajectory strictly before it starts anything.
bad=$(mktemp -d)
cp "$root/examples/ci-incident/manifest.yaml" "$bad/"
echo '{"task": "t", "site": {"user": "u", "password": "p"}, "expected_exit": 0,
 "steps": [{"sya": "typo", "block": {}, "expect": "ok"}], "outcomes": [{"scenario": "s", "audit": ["x"]}]}' > "$bad/trajectory.json"
expect demo-bad-trajectory 2 "$bin" demo --example "$bad"
expect_output demo-bad-trajectory-message "$bad/trajectory.json: steps[0]: unknown field 'sya'"
echo '{"task": "t", "site": {"user": "u", "password": "p"}, "expected_exit": 0,
 "steps": [{"say": "s", "block": {}, "expect": "ok", "review": {"decide": "maybe", "note": "n"}}],
 "outcomes": [{"scenario": "s", "audit": ["x"]}]}' > "$bad/trajectory.json"
expect demo-bad-review 2 "$bin" demo --example "$bad"
expect_output demo-bad-review-message "$bad/trajectory.json: steps[0].review.decide: must be approve or deny, not 'maybe'"
rm -rf "$bad"
expect demo-no-example 1 "$bin" demo --example /nonexistent
expect_output demo-no-example-message "deskbox: no example at /nonexistent (manifest.yaml missing): pass --example DIR"
exit $fail
