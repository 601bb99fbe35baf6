#!/bin/sh
# The image's entrypoint: one session per container, as deskbox@NAME.service
# runs one per unit. /run/deskbox is what systemd's tmpfiles.d would make;
# here it is usually a volume (the published sockets), so it is made at start.
# Arguments: a manifest (default /etc/deskbox/session.yaml, mount yours
# there), or any deskbox command line (`deskbox check M`, `deskbox mcp ...`).
set -e
mkdir -p /run/deskbox /var/lib/deskbox
# A volume may belong to someone else (a host user outside the container's
# user namespace): then its owner chose its mode.
if [ -O /run/deskbox ]; then chmod 0755 /run/deskbox; fi
case "${1:-}" in
    ""|/*|./*|*.yaml|*.yml) exec /usr/bin/deskbox run "${1:-/etc/deskbox/session.yaml}" ;;
    *) exec /usr/bin/deskbox "$@" ;;
esac
