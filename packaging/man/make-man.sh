#!/bin/sh
# make-man.sh HELP2MAN DESKBOX OUTPUT
# Writes deskbox(1) from the CLI's own help: help2man turns `deskbox --help`
# into the page, and every subcommand's `--help` becomes a subsection of
# COMMANDS, so the page lists exactly the commands the binary has.
set -eu
help2man=$1
deskbox=$2
output=$3

include=$(mktemp)
trap 'rm -f "$include"' EXIT

# roff-escape help text: backslashes first, then lines that start with a
# control character ('.' or "'").
escape() {
    sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
}

{
    printf '[NAME]\ndeskbox \\- a desktop sandbox supervisor for computer-use agents\n\n'
    printf '[COMMANDS]\n'
    # Subcommands are the indented words under "Subcommands:" in --help.
    "$deskbox" --help | sed -n '/^Subcommands:/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p' |
    while read -r cmd; do
        [ "$cmd" = help ] && continue
        printf '.SS "deskbox %s"\n.nf\n' "$cmd"
        "$deskbox" "$cmd" --help | escape
        printf '.fi\n'
    done
    cat <<'TAIL'

[FILES]
.TP
.I /etc/deskbox/sessions/NAME.yaml
The session manifest that
.B systemctl start deskbox@NAME
runs.
.TP
.I /run/deskbox/NAME/
The running session's directory: agent and review sockets, status.
.TP
.I /usr/share/deskbox/manifests/, /usr/share/deskbox/policy/examples/
Example manifests and policies.
.TP
.I /usr/share/doc/deskbox/
Manifest, policy, protocol and systemd documentation.

[SEE ALSO]
.BR systemctl (1),
.BR systemd.exec (5),
.BR systemd-sysusers (8)
TAIL
} > "$include"

"$help2man" --no-info --no-discard-stderr --section=1 \
    --name='a desktop sandbox supervisor for computer-use agents' \
    --include="$include" --output="$output" "$deskbox"
