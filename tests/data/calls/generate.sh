#!/usr/bin/env bash
# Regenerates the SIP call captures in this folder (see README.md and truth.tsv):
#   basic.pcap loss.pcap failures.pcap timeout.pcap register-auth.pcap prack.pcap
#   reinvite-hold.pcap proxy-auth-fork.pcap
# Usage: generate.sh [CAPTURE...]   (names without .pcap; default: all of them)
#
# Everything runs on the loopback interface, 127.0.0.1 only: for each capture, tcpdump captures
# `lo` filtered to that capture's ports while SIPp instances (scenarios/uac-*.xml against
# scenarios/uas-*.xml) talk to each other, directly or through Kamailio (kamailio/proxy.cfg,
# proxy-auth-fork only). The scenarios use fixed Call-IDs, tags and branches, so a re-run gives the
# same SIP messages apart from timestamps, Kamailio's 407 nonce (and so the digest response) and the
# order of messages that cross.
#
# Needs root (tcpdump on lo), sipp (Debian: sip-tester), kamailio, tcpdump, tshark, python3, ss,
# timeout. At the end, check_truth.py compares the captures with truth.tsv.
# UDP ports 5200-5201, 5210-5211, 5220-5227, 5230-5233, 5240-5245, 5250-5251, 5260-5261,
# 5270-5273 and TCP ports 5202-5203 on 127.0.0.1 must be free. timeout.pcap takes ~35 s.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scenarios="$here/scenarios"
kamailio_cfg="$here/kamailio/proxy.cfg"
all_captures=(basic loss failures timeout register-auth prack reinvite-hold proxy-auth-fork)
ip=127.0.0.1

for tool in sipp kamailio tcpdump tshark python3 ss timeout; do
    command -v "$tool" >/dev/null || {
        echo "generate.sh: $tool not found (installers/debian/deps.sh --test; kamailio)" >&2
        exit 2
    }
done
if ((EUID != 0)); then
    echo "generate.sh: run as root (tcpdump needs to capture on lo)" >&2
    exit 2
fi

captures=("$@")
((${#captures[@]})) || captures=("${all_captures[@]}")
for c in "${captures[@]}"; do
    [[ " ${all_captures[*]} " == *" $c "* ]] || {
        echo "generate.sh: unknown capture '$c' (one of: ${all_captures[*]})" >&2
        exit 2
    }
done

work="$(mktemp -d)"
tcpdump_pid=""
kamailio_pid=""
sipp_pids=()
sipp_labels=()
cleanup() {
    local pid
    for pid in "${sipp_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    if [[ -n "$kamailio_pid" ]]; then
        kill "$kamailio_pid" 2>/dev/null || true
        wait "$kamailio_pid" 2>/dev/null || true
    fi
    if [[ -n "$tcpdump_pid" ]]; then
        kill -INT "$tcpdump_pid" 2>/dev/null || true
        wait "$tcpdump_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work" # SIPp and Kamailio may write files into their working directory

is_listening() { # PROTO PORT
    [[ -n "$(ss -Hln "--$1" "src $ip:$2" 2>/dev/null)" ]]
}

wait_listening() { # PROTO PORT
    for _ in $(seq 1 50); do
        is_listening "$@" && return 0
        sleep 0.1
    done
    echo "generate.sh: nothing listens on $ip:$2/$1 after 5 s" >&2
    return 1
}

for port in 5200 5201 5210 5211 {5220..5227} {5230..5233} {5240..5245} 5250 5251 5260 5261 \
    {5270..5273}; do
    if is_listening udp "$port"; then
        echo "generate.sh: UDP port $ip:$port already in use (a kamailio or sipp still running?)" >&2
        exit 1
    fi
done
for port in 5202 5203; do
    if is_listening tcp "$port"; then
        echo "generate.sh: TCP port $ip:$port already in use" >&2
        exit 1
    fi
done

# ---- capture ---------------------------------------------------------------------------------

capture_name=""
start_capture() { # NAME FILTER
    capture_name=$1
    echo "generate.sh: $capture_name.pcap: tcpdump -i lo '$2'"
    # --immediate-mode: without it the last packets can still sit in the kernel ring buffer when
    # tcpdump is stopped, and are lost.
    timeout 300 tcpdump -i lo -n -s 0 -U --immediate-mode -Z root -w "$work/$capture_name.pcap" \
        "$2" >"$work/tcpdump-$capture_name.log" 2>&1 &
    tcpdump_pid=$!
    for _ in $(seq 1 50); do
        grep -q 'listening on' "$work/tcpdump-$capture_name.log" && break
        sleep 0.1
    done
    grep -q 'listening on' "$work/tcpdump-$capture_name.log" || {
        cat "$work/tcpdump-$capture_name.log" >&2
        exit 1
    }
}

stop_capture() {
    sleep 0.5 # let the last datagrams reach the capture
    kill -INT "$tcpdump_pid"
    wait "$tcpdump_pid" || true
    tcpdump_pid=""
    grep -E 'captured|dropped by kernel' "$work/tcpdump-$capture_name.log" |
        sed "s/^/generate.sh: $capture_name: tcpdump: /"
    if grep -qE '^[1-9][0-9]* packets dropped by kernel' "$work/tcpdump-$capture_name.log"; then
        echo "generate.sh: $capture_name: tcpdump dropped packets" >&2
        exit 1
    fi
    cp "$work/$capture_name.pcap" "$here/$capture_name.pcap"
    echo "generate.sh: wrote $capture_name.pcap ($(stat -c %s "$here/$capture_name.pcap") bytes)"
}

# ---- SIPp ------------------------------------------------------------------------------------

# Every sipp is bounded three ways: -m calls, a global -timeout (an error with -timeout_error)
# and `timeout`. The timeout case needs more than 20 s (Timer B is 32 s).
sipp_limit=20
sipp_common() {
    echo -nostdin -timeout "${sipp_limit}s" -timeout_error
}

# sipp_bg LABEL TRANSPORT(u1|t1) PORT CALLS SCENARIO [sipp options...]
# Starts one SIPp in the background on $ip:PORT; its media port (only bound: no RTP is sent, but
# it appears in the SDP) is derived from PORT so that it never changes.
sipp_bg() {
    local label=$1 transport=$2 port=$3 calls=$4 xml=$5
    shift 5
    local media_port=$((16000 + 10 * (port - 5200)))
    # shellcheck disable=SC2046 # sipp_common gives separate words on purpose
    timeout $((sipp_limit + 15)) sipp -sf "$scenarios/$xml" -t "$transport" -i "$ip" -p "$port" \
        -mp "$media_port" -m "$calls" $(sipp_common) \
        -trace_err -error_file "$work/$label-errors.log" "$@" >"$work/$label.log" 2>&1 &
    sipp_pids+=($!)
    sipp_labels+=("$label")
}

# uas LABEL TRANSPORT PORT CALLS SCENARIO [options...]: starts a callee and waits until it listens.
uas() {
    local transport=$2 port=$3
    sipp_bg "$@"
    if [[ "$transport" == t1 ]]; then wait_listening tcp "$port"; else wait_listening udp "$port"; fi
}

# uac LABEL TRANSPORT PORT CALLS SCENARIO REMOTE_PORT CASE [options...]: starts a caller against
# $ip:REMOTE_PORT with Call-IDs CASE-N@sipscope.test.
uac() {
    local label=$1 transport=$2 port=$3 calls=$4 xml=$5 remote_port=$6 case=$7
    shift 7
    sipp_bg "$label" "$transport" "$port" "$calls" "$xml" "$ip:$remote_port" \
        -cid_str "$case-%u@sipscope.test" -key case "$case" "$@"
}

# Waits for every SIPp started so far; fails the script if any of them failed.
sipp_wait() {
    local i rc failed=0
    for i in "${!sipp_pids[@]}"; do
        rc=0
        wait "${sipp_pids[$i]}" || rc=$?
        if ((rc != 0)); then
            echo "generate.sh: sipp ${sipp_labels[$i]} failed (exit $rc)" >&2
            cat "$work/${sipp_labels[$i]}-errors.log" >&2 2>/dev/null || true
            tail -n 40 "$work/${sipp_labels[$i]}.log" >&2 || true
            failed=1
        fi
    done
    sipp_pids=()
    sipp_labels=()
    ((failed == 0)) || exit 1
}

# ---- Kamailio --------------------------------------------------------------------------------

start_kamailio() {
    mkdir -p "$work/kamailio"
    kamailio -c -f "$kamailio_cfg" -Y "$work/kamailio" >"$work/kamailio-check.log" 2>&1 || {
        cat "$work/kamailio-check.log" >&2
        exit 1
    }
    # -DD: stay in the foreground (children are forked), -E: log to stderr, -Y: runtime dir.
    timeout 120 kamailio -f "$kamailio_cfg" -DD -E -Y "$work/kamailio" -w "$work" -m 32 -M 8 \
        >"$work/kamailio.log" 2>&1 &
    kamailio_pid=$!
    wait_listening udp 5270 || {
        cat "$work/kamailio.log" >&2
        exit 1
    }
}

stop_kamailio() {
    kill "$kamailio_pid" # timeout passes the SIGTERM on to kamailio, which stops its children
    wait "$kamailio_pid" || true
    kamailio_pid=""
    for _ in $(seq 1 50); do
        is_listening udp 5270 || return 0
        sleep 0.1
    done
    echo "generate.sh: kamailio still listens on $ip:5270 after being stopped" >&2
    exit 1
}

# ---- the captures ----------------------------------------------------------------------------

capture_basic() {
    start_capture basic 'udp port 5200 or udp port 5201 or tcp port 5202 or tcp port 5203'
    # Two UDP calls one after the other (-l 1), then one over TCP.
    uas basic-udp-uas u1 5201 2 uas-call.xml -key case basic-udp -s bob
    uac basic-udp-uac u1 5200 2 uac-call.xml 5201 basic-udp -s bob -l 1 -r 10 -d 500
    sipp_wait
    uas basic-tcp-uas t1 5203 1 uas-call.xml -key case basic-tcp -s bob
    uac basic-tcp-uac t1 5202 1 uac-call.xml 5203 basic-tcp -s bob -d 500
    sipp_wait
    stop_capture
}

capture_loss() {
    start_capture loss 'udp port 5210 or udp port 5211'
    # Two calls one after the other, each with one INVITE, one 200 OK and one BYE retransmission.
    uas loss-uas u1 5211 2 uas-loss.xml -key case loss -s bob
    uac loss-uac u1 5210 2 uac-loss.xml 5211 loss -s bob -l 1 -r 10 -d 500
    sipp_wait
    stop_capture
}

capture_failures() {
    start_capture failures 'udp portrange 5220-5227'
    uas busy-uas u1 5221 1 uas-reject-486.xml -key case busy -s bob
    uac busy-uac u1 5220 1 uac-reject.xml 5221 busy -s bob
    sipp_wait
    uas notfound-uas u1 5223 1 uas-reject-404.xml -key case notfound -s nobody
    uac notfound-uac u1 5222 1 uac-reject.xml 5223 notfound -s nobody
    sipp_wait
    uas unavailable-uas u1 5225 1 uas-reject-503.xml -key case unavailable -s carol
    uac unavailable-uac u1 5224 1 uac-reject.xml 5225 unavailable -s carol
    sipp_wait
    uas cancel-uas u1 5227 1 uas-cancel.xml -key case cancel -s bob
    uac cancel-uac u1 5226 1 uac-cancel.xml 5227 cancel -s bob
    sipp_wait
    stop_capture
}

capture_timeout() {
    start_capture timeout 'udp portrange 5230-5233'
    sipp_limit=45
    # An INVITE and an OPTIONS at the same time, each to a callee that never answers; the
    # retransmission limits let SIPp go on until its recv timeouts (32 s and 31 s) end the calls.
    uas timeout-invite-uas u1 5231 1 uas-silent.xml -key case timeout-invite -s bob
    uas timeout-options-uas u1 5233 1 uas-silent.xml -key case timeout-options -s bob
    uac timeout-invite-uac u1 5230 1 uac-timeout-invite.xml 5231 timeout-invite -s bob \
        -max_invite_retrans 6
    uac timeout-options-uac u1 5232 1 uac-timeout-options.xml 5233 timeout-options -s bob \
        -max_non_invite_retrans 10
    sipp_wait
    sipp_limit=20
    stop_capture
}

capture_register_auth() {
    start_capture register-auth 'udp portrange 5240-5245'
    uas register-uas u1 5241 1 uas-register.xml -key case register -s alice
    uac register-uac u1 5240 1 uac-register.xml 5241 register -s alice
    sipp_wait
    uas options-uas u1 5243 1 uas-options.xml -key case options -s bob
    uac options-uac u1 5242 1 uac-options.xml 5243 options -s bob
    sipp_wait
    uas message-uas u1 5245 1 uas-message.xml -key case message -s bob
    uac message-uac u1 5244 1 uac-message.xml 5245 message -s bob
    sipp_wait
    stop_capture
}

capture_prack() {
    start_capture prack 'udp port 5250 or udp port 5251'
    uas prack-uas u1 5251 1 uas-prack.xml -key case prack -s bob
    uac prack-uac u1 5250 1 uac-prack.xml 5251 prack -s bob
    sipp_wait
    stop_capture
}

capture_reinvite_hold() {
    start_capture reinvite-hold 'udp port 5260 or udp port 5261'
    uas hold-uas u1 5261 1 uas-hold.xml -key case hold -s bob
    uac hold-uac u1 5260 1 uac-hold.xml 5261 hold -s bob
    sipp_wait
    stop_capture
}

capture_proxy_auth_fork() {
    start_kamailio
    start_capture proxy-auth-fork 'udp portrange 5270-5273'
    # (a) challenged with 407, then relayed to bob on 5272.
    uas proxy-auth-uas u1 5272 1 uas-proxy.xml -key case proxy-auth -s bob
    # -auth_uri: the digest uri is the Request-URI (SIPp would use sip:IP:PORT otherwise).
    uac proxy-auth-uac u1 5271 1 uac-proxy-auth.xml 5270 proxy-auth -s bob \
        -auth_uri bob@127.0.0.1:5270
    sipp_wait
    # (b) forked to 5272 (answers after 500 ms of ringing) and 5273 (rings until cancelled).
    uas proxy-fork-uas1 u1 5272 1 uas-proxy.xml -key case proxy-fork -s fork
    uas proxy-fork-uas2 u1 5273 1 uas-fork-lose.xml -key case proxy-fork -s fork
    uac proxy-fork-uac u1 5271 1 uac-proxy-fork.xml 5270 proxy-fork -s fork
    sipp_wait
    stop_capture
    stop_kamailio
    grep -E 'ERROR|CRITICAL' "$work/kamailio.log" >&2 || true
}

for c in "${captures[@]}"; do
    "capture_${c//-/_}"
done

# The captures must still match the hand-written ground truth.
pcaps=()
for c in "${captures[@]}"; do
    pcaps+=("$c.pcap")
done
python3 "$here/check_truth.py" "${pcaps[@]}"
