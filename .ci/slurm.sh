#!/usr/bin/env bash
# A one-node Slurm cluster on this host, for the tests of `benchlab submit`
# and for trying the fleet path on one machine. Everything it makes lives in
# DIR: a private munge key and socket, slurm.conf, state, logs and PID
# files; nothing is written to /etc, and the system's munged and Slurm, if
# any, are left alone.
#
#   .ci/slurm.sh start DIR   # prints `export SLURM_CONF=DIR/slurm.conf`
#   .ci/slurm.sh stop DIR    # stops the daemons by their PID files
#
# Needs Debian's slurm-wlm (slurmctld, slurmd, slurm-client) and munge.
# Ports are picked free at start. Cgroups are not used (proctrack/linuxproc,
# task/none), so it also runs in containers without a writable cgroup tree.
# Finished jobs are recorded by jobcomp/filetxt, so `sacct --completion`
# answers without a slurmdbd database.
set -euo pipefail

die() { echo "slurm.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: $0 start|stop DIR"
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)

stop() {
	local f pid
	for f in slurmd.pid slurmctld.pid munged.pid; do
		[ -s "$dir/$f" ] || continue
		pid=$(cat "$dir/$f")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
		rm -f "$dir/$f"
	done
}

# freeport prints a TCP port nothing listens on now.
freeport() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start() {
	for p in munged slurmctld slurmd sbatch squeue sacct scontrol; do
		command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] ||
			die "$p is missing: apt-get install slurm-wlm munge"
	done
	export PATH="$PATH:/usr/sbin"
	# A Unix socket's path has at most 107 bytes.
	[ ${#dir} -le 90 ] || die "DIR is too long for munge's socket path: use a shorter one"
	stop
	mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
	chmod 700 "$dir/munge"
	if [ ! -s "$dir/munge/munge.key" ]; then
		dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
	fi
	chmod 400 "$dir/munge/munge.key"
	# munged refuses keys and sockets others can write to; as root it needs
	# --force to run at all.
	munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/socket" \
		--pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" \
		--seed-file="$dir/munge/seed" ||
		die "munged did not start: see $dir/log/munged.log"

	local node cpus mem user
	node=$(hostname -s)
	# The node's real CPUs and memory, as slurmd itself measures them.
	read -r cpus mem < <(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*RealMemory=\([0-9]*\).*/\1 \2/p')
	[ -n "$cpus" ] || die "slurmd -C did not report this node's CPUs"
	user=$(id -un)
	cat >"$dir/slurm.conf" <<CONF
ClusterName=benchlab
SlurmctldHost=$node(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$(freeport)
SlurmdPort=$(freeport)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
ReturnToService=2
MinJobAge=600
KillWait=2
InactiveLimit=0
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
	export SLURM_CONF="$dir/slurm.conf"
	slurmctld -i || die "slurmctld did not start: see $dir/log/slurmctld.log"
	slurmd -N "$node" || die "slurmd did not start: see $dir/log/slurmd.log"
	for _ in $(seq 100); do
		if sinfo -h -o '%T' 2>/dev/null | grep -qx idle; then
			echo "export SLURM_CONF=$SLURM_CONF"
			return
		fi
		sleep 0.1
	done
	sinfo >&2 || true
	tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
	stop
	die "the node did not become idle within 10 s"
}

case $cmd in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop DIR" ;;
esac
