# Sourced by the bench scripts: `stats` reads ns values, one a line, and
# prints "median ms (min, p25, p75, max; n=N)".
stats() {
  sort -n | awk '{v[NR]=$1} END {
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
    printf "%.1f ms (min %.1f, p25 %.1f, p75 %.1f, max %.1f; n=%d)\n", m/1e6, v[1]/1e6,
      v[int(NR*0.25)+1]/1e6, v[int(NR*0.75)+1]/1e6, v[NR]/1e6, NR }'
}
