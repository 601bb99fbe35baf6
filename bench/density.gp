# Plot of bench/density.sh's data (run in the output folder): density.png.
# Columns of density-KIND.dat: 1 N, 2 start of the N-th session (s), 3 cgroup
# charge per session (MB), 4 apps, 5 Xvfb, 6 plumbing (private PSS, MB), 7 shared
# file PSS, 8 supervisor RSS, 9 supervisor PSS, 10/11 screenshot p50/p99 (ms),
# 12/13 click p50/p99 (ms), 14 load average, 15 host memory used (MB), 16 idle
# supervisors' median RSS (MB).
set terminal pngcairo size 1400,1000 font "DejaVu Sans,10"
set output "density.png"
have(f) = system("test -s " . f . " && echo 1 || echo 0") eq "1"
kinds = "gtk chromium gtk-glx chromium-glx"
colour(i) = word("#1b6ac9 #c9421b #7aa6e0 #e0977a", i)
set key top left font ",9"
set grid
set xlabel "sessions side by side (N)"
set multiplot layout 2,2 title "deskbox density: 2 vCPUs, 24 GB, shared machine (load average in the data)"

set title "memory per session: cgroup charge (solid), Xvfb private (dashed), supervisor PSS (dotted)"
set ylabel "MB"
plot for [i=1:4] (have("density-".word(kinds,i).".dat") ? "density-".word(kinds,i).".dat" : "/dev/null") \
        using 1:3 with linespoints lw 2 lc rgb colour(i) title word(kinds,i)." charge", \
     for [i=1:4] (have("density-".word(kinds,i).".dat") ? "density-".word(kinds,i).".dat" : "/dev/null") \
        using 1:5 with linespoints dt 2 lc rgb colour(i) title word(kinds,i)." Xvfb", \
     for [i=1:4] (have("density-".word(kinds,i).".dat") ? "density-".word(kinds,i).".dat" : "/dev/null") \
        using 1:9 with linespoints dt 3 lc rgb colour(i) title word(kinds,i)." supervisor"

set title "screenshot (PNG) on session 1 while the others idle: p50 (solid), p99 (dashed)"
set ylabel "ms"
plot for [i=1:4] (have("density-".word(kinds,i).".dat") ? "density-".word(kinds,i).".dat" : "/dev/null") \
        using 1:10 with linespoints lw 2 lc rgb colour(i) title word(kinds,i)." p50", \
     for [i=1:4] (have("density-".word(kinds,i).".dat") ? "density-".word(kinds,i).".dat" : "/dev/null") \
        using 1:11 with linespoints dt 2 lc rgb colour(i) title word(kinds,i)." p99"

set title "click on session 1 (gate + context + XTest): p50 (solid), p99 (dashed)"
plot for [i=1:4] (have("density-".word(kinds,i).".dat") ? "density-".word(kinds,i).".dat" : "/dev/null") \
        using 1:12 with linespoints lw 2 lc rgb colour(i) title word(kinds,i)." p50", \
     for [i=1:4] (have("density-".word(kinds,i).".dat") ? "density-".word(kinds,i).".dat" : "/dev/null") \
        using 1:13 with linespoints dt 2 lc rgb colour(i) title word(kinds,i)." p99"

set title "start of the N-th session (launch to ready), and the load average (dashed, right axis)"
set ylabel "s"
set y2label "load average"
set y2tics
plot for [i=1:4] (have("density-".word(kinds,i).".dat") ? "density-".word(kinds,i).".dat" : "/dev/null") \
        using 1:2 with linespoints lw 2 lc rgb colour(i) title word(kinds,i)." start", \
     for [i=1:4] (have("density-".word(kinds,i).".dat") ? "density-".word(kinds,i).".dat" : "/dev/null") \
        using 1:14 axes x1y2 with lines dt 2 lc rgb colour(i) title word(kinds,i)." load"
unset multiplot
