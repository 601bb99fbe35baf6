#!/usr/bin/env bash
# Density: N sessions side by side on this host, for a GTK app
# (gtk3-widget-factory) and Chromium on a local page (bench/density.py does
# the measuring; see its header for every figure), then one PNG plot of the
# data with gnuplot (bench/density.gp). Needs root.
#
#   bench/density.sh BUILD_DIR [gtk] [chromium]
#
# Bounded: DENSITY_STEPS (default 1,5,10,20,30,40,50,60 for gtk,
# 1,5,8,10,15,20,30 for chromium), DENSITY_MAX (60 / 30 sessions),
# DENSITY_TIME_LIMIT (seconds per kind, default 1200), DENSITY_SAMPLES
# (screenshots and clicks per step, default 40). DENSITY_GLX=1 runs the
# displays with GLX (the figures before display.glx existed). Each kind stops at the first
# failed start or once session 1's screenshot p50 exceeds 5x its single-
# session figure. Output (data, JSON, plot) in DENSITY_OUT (default
# bench/density/).
set -euo pipefail
build=$(realpath "${1:?usage: density.sh BUILD_DIR [gtk] [chromium]}")
shift
kinds=("$@")
[ $# -gt 0 ] || kinds=(gtk chromium)
src=$(cd "$(dirname "$0")/.." && pwd)
out=${DENSITY_OUT:-$src/bench/density}
[ "$(id -u)" -eq 0 ] || { echo "density.sh: needs root (sessions with a host id range and cgroups)" >&2; exit 1; }
mkdir -p "$out"
echo "host: $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GB; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for kind in "${kinds[@]}"; do
    case $kind in
        gtk) steps=${DENSITY_STEPS:-1,5,10,20,30,40,50,60}; max=${DENSITY_MAX:-60} ;;
        chromium) steps=${DENSITY_STEPS:-1,5,8,10,15,20,30}; max=${DENSITY_MAX:-30} ;;
        *) echo "density.sh: unknown kind '$kind' (gtk or chromium)" >&2; exit 1 ;;
    esac
    python3 "$src/bench/density.py" --deskbox "$build/deskbox" --kind "$kind" --steps "$steps" --max "$max" \
        --time-limit "${DENSITY_TIME_LIMIT:-1200}" --samples "${DENSITY_SAMPLES:-40}" \
        --policy "$src/policy/examples/desktop-default.yaml" --out "$out" ${DENSITY_GLX:+--glx}
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v gnuplot >/dev/null; then
    (cd "$out" && gnuplot "$src/bench/density.gp") && echo "plot: $out/density.png"
else
    echo "density.sh: gnuplot is missing (packaging/deps/fleet.txt): no plot" >&2
fi
