#!/usr/bin/perl
# The main process of the harness's smoke unit (systemd_boot_test.sh): does
# what deskbox's supervisor does with its delegated cgroup, without deskbox.
# It starts a child, moves it into a sub-cgroup of its own unit's cgroup in
# every hierarchy that has one (cgroup v2 and the v1 controllers), then tells
# systemd READY=1 over NOTIFY_SOCKET. It ignores nothing: SIGTERM ends it and
# leaves the child behind, which KillMode=mixed must then SIGKILL.
use strict;
use warnings;
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM);

my $child = fork // die "fork: $!\n";
if ($child == 0) {
    exec 'sleep', 'infinity' or die "exec sleep: $!\n";
}

# /proc/self/cgroup: "ID:controllers:path"; find each hierarchy's mount.
my %mount_of;
for my $line (`findmnt -rn -t cgroup,cgroup2 -o TARGET,FSTYPE,FS-OPTIONS`) {
    my ($target, $fstype, $opts) = split ' ', $line;
    if ($fstype eq 'cgroup2') { $mount_of{''} = $target; next; }
    my @ctl = grep { !/^(rw|ro|relatime|nosuid|nodev|noexec|clone_children|xattr)$/ } split /,/, $opts;
    $mount_of{join ',', @ctl} = $target;
}
my @moved;
open my $cg, '<', '/proc/self/cgroup' or die "/proc/self/cgroup: $!\n";
while (my $line = <$cg>) {
    chomp $line;
    my (undef, $ctl, $path) = split /:/, $line, 3;
    my $mnt = $mount_of{$ctl} // next;
    next unless $path =~ m{/deskbox-smoke\.service$};   # only hierarchies delegated to us
    my $dir = "$mnt$path/payload";
    mkdir $dir or die "mkdir $dir: $!\n";
    open my $procs, '>', "$dir/cgroup.procs" or die "$dir/cgroup.procs: $!\n";
    print $procs "$child\n" or die "moving $child to $dir: $!\n";
    close $procs or die "moving $child to $dir: $!\n";
    push @moved, $ctl eq '' ? 'unified' : $ctl;
}
die "no delegated cgroup found in /proc/self/cgroup\n" unless @moved;

my $path = $ENV{NOTIFY_SOCKET} // die "NOTIFY_SOCKET unset\n";
$path =~ s/^@/\0/;
my $sock = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Peer => $path) or die "connect $path: $!\n";
$sock->send("READY=1\nSTATUS=child $child in payload of: @moved\n") or die "send: $!\n";
waitpid $child, 0;
