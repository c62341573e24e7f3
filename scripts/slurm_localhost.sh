#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A one-node Slurm cluster on 127.0.0.1 for medcheck's tests and CI.
#
#   scripts/slurm_localhost.sh install        apt-get the Debian packages (idempotent)
#   scripts/slurm_localhost.sh start          munged, slurmctld, slurmd; writes $DIR/env
#   . "$DIR/env"                              exports SLURM_CONF for sbatch, squeue, ...
#   scripts/slurm_localhost.sh wait JOBID [S] until JOBID leaves the queue; exit 1 unless
#                                             every task of it ended COMPLETED
#   scripts/slurm_localhost.sh stop           cancel jobs, stop the PIDs that start recorded
#
# Settings (environment):
#   SLURM_CI_DIR          config, state, spool, logs and PID file (default /tmp/medcheck-slurm)
#   SLURM_CI_CTLD_PORT    slurmctld port (default 6817)
#   SLURM_CI_SLURMD_PORT  slurmd port (default 6818)
#
# Needs root (the daemons run as root; munged as the munge user). Both Slurm
# daemons bind to 127.0.0.1 only. Nothing is ever stopped by name: `stop`
# signals only the PIDs in $DIR/pids, after checking /proc that each one is
# still the program that was started. Job outcomes come from the job
# completion log ($DIR/log/jobcomp.txt), since there is no slurmdbd.
# See docs/scale-out.md.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin

DIR=${SLURM_CI_DIR:-/tmp/medcheck-slurm}
CTLD_PORT=${SLURM_CI_CTLD_PORT:-6817}
SLURMD_PORT=${SLURM_CI_SLURMD_PORT:-6818}
PACKAGES="slurmctld slurmd slurm-client munge"

say() { echo "slurm_localhost: $*" >&2; }
die() { say "$*"; exit 1; }

# up_to SECONDS CMD...: retry CMD every 0.1 s for at most SECONDS
up_to() {
    local limit=$(($(date +%s) + $1))
    shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$limit" ] || return 1
        sleep 0.1
    done
}

# running NAME PID: PID is alive, not a zombie, and its comm is NAME
running() {
    local stat
    stat=$(cat "/proc/$2/stat" 2>/dev/null) || return 1
    [ "$(cat "/proc/$2/comm" 2>/dev/null)" = "$1" ] || return 1
    # field 3 is the state; the comm in parentheses may hold spaces
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

cmd_install() {
    # shellcheck disable=SC2086
    if dpkg -s $PACKAGES >/dev/null 2>&1; then
        say "already installed: $PACKAGES"
        return 0
    fi
    [ "$(id -u)" = 0 ] || die "install needs root"
    local own_policy=""
    # No init system here: keep the postinsts from starting default daemons.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        own_policy=1
    fi
    local t0=$SECONDS
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
    [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
    say "installed $PACKAGES in $((SECONDS - t0)) s"
}

port_taken() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
munge_works() { munge -n | unmunge; }
ctld_works() { scontrol ping | grep -q 'is UP'; }
node_idle() { [ "$(sinfo -h -n localhost -o %t)" = idle ]; }

# launch NAME CMD...: start CMD in the background and record its PID
launch() {
    local name=$1
    shift
    "$@" >"$DIR/log/$name.out" 2>&1 &
    echo "$name $!" >>"$DIR/pids"
}

# ready NAME SECONDS CHECK...: wait for CHECK, failing early if NAME died
ready() {
    local name=$1 secs=$2 pid
    shift 2
    pid=$(awk -v n="$name" '$1 == n { p = $2 } END { print p }' "$DIR/pids")
    local limit=$(($(date +%s) + secs))
    until "$@" >/dev/null 2>&1; do
        if ! running "$name" "$pid"; then
            say "$name exited while starting; log follows"
            tail -n 20 "$DIR/log/$name.out" "$DIR/log/$name.log" 2>/dev/null >&2 || true
            return 1
        fi
        [ "$(date +%s)" -lt "$limit" ] || { say "$name not ready after $secs s"; return 1; }
        sleep 0.1
    done
}

start_munge() {
    if [ ! -s /etc/munge/munge.key ]; then
        mungekey --create --keyfile=/etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 400 /etc/munge/munge.key
    fi
    install -d -o munge -g munge -m 755 /run/munge
    if munge_works >/dev/null 2>&1; then
        say "using the munged already running (it is not ours to stop)"
        return 0
    fi
    # setpriv execs munged in place, so $! is munged itself (runuser forks).
    launch munged setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F
    ready munged 10 munge_works
}

write_config() {
    local node
    # The real CPUs, sockets and RealMemory (without it --mem requests fail).
    node=$(slurmd -C | sed -n '1s/^NodeName=[^ ]*/NodeName=localhost NodeAddr=127.0.0.1/p')
    cat >"$DIR/slurm.conf" <<CONF
# written by medcheck scripts/slurm_localhost.sh
ClusterName=medcheck-ci
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
# bind both daemons to 127.0.0.1, not 0.0.0.0
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# without this, each wave of array tasks waits 3 s
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
    echo "export SLURM_CONF=$DIR/slurm.conf" >"$DIR/env"
}

cmd_start() {
    [ "$(id -u)" = 0 ] || die "start needs root"
    [ ! -s "$DIR/pids" ] || die "$DIR/pids exists: a cluster may be running; stop it first"
    local p
    for p in "$CTLD_PORT" "$SLURMD_PORT"; do
        ! port_taken "$p" || die "port $p is in use (set SLURM_CI_CTLD_PORT / SLURM_CI_SLURMD_PORT)"
    done
    local t0=$SECONDS
    rm -rf "$DIR/state" "$DIR/spool" "$DIR/log"
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
    : >"$DIR/pids"
    export SLURM_CONF=$DIR/slurm.conf
    start_munge || { cmd_stop; return 1; }
    write_config
    launch slurmctld /usr/sbin/slurmctld -D -f "$SLURM_CONF"
    ready slurmctld 30 ctld_works || { cmd_stop; return 1; }
    launch slurmd /usr/sbin/slurmd -D -f "$SLURM_CONF" -N localhost
    ready slurmd 30 node_idle || { cmd_stop; return 1; }
    say "cluster up on 127.0.0.1:$CTLD_PORT/$SLURMD_PORT in $((SECONDS - t0)) s; . $DIR/env"
}

cmd_stop() {
    [ -f "$DIR/pids" ] || { say "nothing recorded in $DIR/pids"; return 0; }
    export SLURM_CONF=$DIR/slurm.conf
    # Cancel jobs first: slurmd leaves running steps behind when stopped.
    if ctld_works >/dev/null 2>&1; then
        local jobs
        jobs=$(squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
        if [ -n "${jobs// /}" ]; then
            # shellcheck disable=SC2086
            scancel $jobs || true
            # shellcheck disable=SC2016 # expanded by the inner sh, on each try
            up_to 15 sh -c '[ -z "$(squeue -h)" ]' || say "jobs still queued"
        fi
    fi
    local name pid n
    # newest first: slurmd, slurmctld, munged
    while read -r name pid; do
        running "$name" "$pid" || continue
        kill -TERM "$pid"
        n=0
        while running "$name" "$pid" && [ $n -lt 100 ]; do
            sleep 0.1
            n=$((n + 1))
        done
        if running "$name" "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        say "stopped $name ($pid)"
    done < <(tac "$DIR/pids")
    rm -f "$DIR/pids"
}

# Poll squeue (finer than sbatch --wait), then read the completion log.
cmd_wait() {
    local job=${1:?usage: wait JOBID [TIMEOUT_S]} secs=${2:-3600}
    export SLURM_CONF=$DIR/slurm.conf
    local limit=$(($(date +%s) + secs))
    while [ -n "$(squeue -h -j "$job" 2>/dev/null)" ]; do
        [ "$(date +%s)" -lt "$limit" ] || { say "job $job still queued after $secs s"; return 1; }
        sleep 0.2
    done
    local lines bad
    lines=$(grep -E "^JobId=$job |ArrayJobId=$job " "$DIR/log/jobcomp.txt" 2>/dev/null || true)
    [ -n "$lines" ] || { say "job $job: no completion record"; return 1; }
    bad=$(grep -c -v 'JobState=COMPLETED ' <<<"$lines" || true)
    say "job $job: $(wc -l <<<"$lines") task(s), $bad not COMPLETED"
    [ "$bad" -eq 0 ]
}

case ${1:-} in
install) cmd_install ;;
start) cmd_start ;;
stop) cmd_stop ;;
wait)
    shift
    cmd_wait "$@"
    ;;
*)
    echo "usage: $0 install|start|stop|wait JOBID [TIMEOUT_S]" >&2
    exit 2
    ;;
esac
