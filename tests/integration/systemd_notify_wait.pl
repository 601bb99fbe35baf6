#!/usr/bin/perl
# systemd_notify_wait.pl SOCKET PID TIMEOUT_SECONDS
# Plays the container manager's side of sd_notify: binds the datagram socket
# that NOTIFY_SOCKET names for a systemd booted as PID 1 in a namespace, and
# returns once it says READY=1. Fails when PID exits first or the timeout
# passes. Prints every STATUS= it hears, so a failing boot explains itself.
use strict;
use warnings;
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM);

my ($path, $pid, $timeout) = @ARGV;
die "usage: $0 SOCKET PID TIMEOUT_SECONDS\n" unless defined $timeout;
unlink $path;
my $sock = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $path)
    or die "binding $path: $!\n";
my $deadline = time + $timeout;
my $rin = '';
vec($rin, fileno($sock), 1) = 1;
while (1) {
    my $left = $deadline - time;
    die "no READY=1 from systemd (pid $pid) within ${timeout}s\n" if $left <= 0;
    # One-second slices only to notice the booting systemd dying early.
    my $n = select(my $rout = $rin, undef, undef, $left < 1 ? $left : 1);
    if ($n > 0) {
        my $msg = '';
        defined $sock->recv($msg, 65536) or die "recv on $path: $!\n";
        for my $line (split /\n/, $msg) {
            print "systemd: $line\n" if $line =~ /^STATUS=/;
            exit 0 if $line eq 'READY=1';
        }
    } elsif (!kill(0, $pid)) {
        die "systemd (pid $pid) exited before READY=1\n";
    }
}
