#!/usr/bin/env bash
# Regenerates basic-calls.pcap and messages/*.sip in this folder.
#
# Everything runs on the loopback interface only (127.0.0.1 and ::1): tcpdump captures lo while
# pairs of SIPp instances (scenarios/uas-*.xml and scenarios/uac-*.xml) talk to each other.
# The scenarios use fixed Call-IDs, tags, branches and nonces, so a re-run gives the same
# messages; only timestamps, the order of overlapping calls and TCP ephemeral ports differ.
#
# Needs root (tcpdump on lo), sipp (Debian: sip-tester), tcpdump, tshark and python3:
#   installers/debian/deps.sh --test
# UDP ports 5060/5070 and TCP ports 5080/5090 on loopback must be free.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scenarios="$here/scenarios"
out_pcap="$here/basic-calls.pcap"
out_messages="$here/messages"
filter='udp port 5060 or udp port 5070 or tcp port 5080 or tcp port 5090'

for tool in sipp tcpdump tshark python3 ss timeout; do
    command -v "$tool" >/dev/null || {
        echo "generate.sh: $tool not found (installers/debian/deps.sh --test)" >&2
        exit 2
    }
done
if ((EUID != 0)); then
    echo "generate.sh: run as root (tcpdump needs to capture on lo)" >&2
    exit 2
fi

work="$(mktemp -d)"
tcpdump_pid=""
cleanup() {
    if [[ -n "$tcpdump_pid" ]] && kill -0 "$tcpdump_pid" 2>/dev/null; then
        kill -INT "$tcpdump_pid" 2>/dev/null || true
        wait "$tcpdump_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# ss filter for a listening socket: proto (udp|tcp), address, port.
is_listening() {
    local proto=$1 addr=$2 port=$3
    [[ -n "$(ss -Hln "--$proto" "src $addr:$port" 2>/dev/null)" ]]
}

wait_listening() {
    for _ in $(seq 1 50); do
        is_listening "$@" && return 0
        sleep 0.1
    done
    echo "generate.sh: nothing listens on $2:$3/$1 after 5 s" >&2
    return 1
}

for spec in "udp 127.0.0.1 5060" "udp 127.0.0.1 5070" "tcp 127.0.0.1 5080" "tcp 127.0.0.1 5090" \
    "udp [::1] 5060" "udp [::1] 5070"; do
    # shellcheck disable=SC2086 # spec is three words on purpose
    if is_listening $spec; then
        echo "generate.sh: port already in use: $spec (is a kamailio service running?)" >&2
        exit 1
    fi
done

# Every sipp is bounded three ways: -m calls, -timeout 20s (an error with -timeout_error) and
# `timeout 30`.
sipp_common=(-nostdin -timeout 20s -timeout_error -s bob)

# run_case NAME TRANSPORT(u1|t1) IP UAS_PORT UAC_PORT SCENARIO CALLS [extra UAC options...]
# Starts scenarios/uas-SCENARIO.xml, waits until it listens, runs scenarios/uac-SCENARIO.xml
# against it and checks that both sides completed all calls.
run_case() {
    local name=$1 transport=$2 ip=$3 uas_port=$4 uac_port=$5 scenario=$6 calls=$7
    shift 7
    local proto=udp remote="$ip:$uas_port" listen_ip=$ip
    [[ "$transport" == t1 ]] && proto=tcp
    if [[ "$ip" == *:* ]]; then
        remote="[$ip]:$uas_port"
        listen_ip="[$ip]"
    fi
    local uas_xml="$scenarios/uas-$scenario.xml" uac_xml="$scenarios/uac-$scenario.xml"

    echo "generate.sh: $name: $calls x $scenario over $proto $remote"
    timeout 30 sipp -sf "$uas_xml" -t "$transport" -i "$ip" -p "$uas_port" -mp 17000 \
        -m "$calls" -key case "$name" "${sipp_common[@]}" \
        -trace_err -error_file "$work/$name-uas-errors.log" \
        >"$work/$name-uas.log" 2>&1 &
    local uas_pid=$!
    wait_listening "$proto" "$listen_ip" "$uas_port"

    local uac_rc=0 uas_rc=0
    timeout 30 sipp -sf "$uac_xml" "$remote" -t "$transport" -i "$ip" -p "$uac_port" -mp 16000 \
        -m "$calls" -key case "$name" -cid_str "$name-%u@sipscope.test" "${sipp_common[@]}" \
        -trace_err -error_file "$work/$name-uac-errors.log" "$@" \
        >"$work/$name-uac.log" 2>&1 || uac_rc=$?
    wait "$uas_pid" || uas_rc=$?
    if ((uac_rc != 0 || uas_rc != 0)); then
        echo "generate.sh: $name failed (uac exit $uac_rc, uas exit $uas_rc)" >&2
        cat "$work/$name"-*errors.log >&2 2>/dev/null || true
        tail -n 40 "$work/$name-uac.log" "$work/$name-uas.log" >&2 || true
        exit 1
    fi
}

echo "generate.sh: tcpdump -i lo -s 0 '$filter'"
timeout 300 tcpdump -i lo -n -s 0 -U -Z root -w "$work/capture.pcap" "$filter" \
    >"$work/tcpdump.log" 2>&1 &
tcpdump_pid=$!
for _ in $(seq 1 50); do
    grep -q 'listening on' "$work/tcpdump.log" && break
    sleep 0.1
done
grep -q 'listening on' "$work/tcpdump.log" || {
    cat "$work/tcpdump.log" >&2
    exit 1
}

run_case register u1 127.0.0.1 5070 5060 register 1
run_case options u1 127.0.0.1 5070 5060 options 1
run_case call u1 127.0.0.1 5070 5060 call 5 -r 5 -d 500
run_case busy u1 127.0.0.1 5070 5060 busy 1
run_case cancel u1 127.0.0.1 5070 5060 cancel 1
run_case tcp-call t1 127.0.0.1 5090 5080 call 1 -d 500
run_case options-v6 u1 ::1 5070 5060 options 1

sleep 0.5 # let the last datagrams reach the capture buffer
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true
tcpdump_pid=""
grep -v '^Running as user' "$work/tcpdump.log" || true

cp "$work/capture.pcap" "$out_pcap"
echo "generate.sh: wrote $out_pcap ($(stat -c %s "$out_pcap") bytes)"

# tshark without its warning about running as root; other messages still reach stderr.
tshark_quiet() {
    local rc=0
    tshark "$@" 2>"$work/tshark.err" || rc=$?
    grep -v '^Running as user' "$work/tshark.err" >&2 || true
    return "$rc"
}

# extract FILE DISPLAY_FILTER: the first matching UDP datagram's payload, byte for byte.
extract() {
    local file=$1 display_filter=$2 hex
    hex="$(tshark_quiet -r "$out_pcap" -Y "udp && ($display_filter)" -T fields -e udp.payload |
        head -n 1)"
    if [[ -z "$hex" ]]; then
        echo "generate.sh: no packet matches: $display_filter" >&2
        exit 1
    fi
    python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$hex" \
        >"$out_messages/$file"
    echo "generate.sh: wrote messages/$file ($(stat -c %s "$out_messages/$file") bytes)"
}

mkdir -p "$out_messages"
extract invite.sip 'sip.Call-ID == "call-1@sipscope.test" && sip.Method == "INVITE"'
extract ok-with-sdp.sip 'sip.Call-ID == "call-1@sipscope.test" && sip.Status-Code == 200 && sdp'
extract register-401.sip 'sip.Call-ID == "register-1@sipscope.test" && sip.Status-Code == 401'
extract bye.sip 'sip.Call-ID == "call-1@sipscope.test" && sip.Method == "BYE"'

tshark_quiet -r "$out_pcap" -q -z sip,stat
