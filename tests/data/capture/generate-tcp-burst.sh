#!/usr/bin/env bash
# Regenerates sipp-tcp-burst.pcap: 200 SIPp calls over ONE TCP connection on loopback at a high
# call rate, so that many TCP segments hold several SIP messages and messages span segments.
# Loopback only (127.0.0.1). Needs root (tcpdump on lo), sipp (Debian: sip-tester), tcpdump.
# Uses the call scenarios of resources/examples/scenarios (fixed Call-IDs and tags).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scen=$here/../../../resources/examples/scenarios
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
timeout 120 tcpdump -i lo -n -s 0 -U -w "$work/c.pcap" 'tcp port 15090' >"$work/td.log" 2>&1 &
td=$!
for _ in $(seq 1 50); do grep -q 'listening on' "$work/td.log" && break; sleep 0.1; done
timeout 60 sipp -sf "$scen/uas-call.xml" -t t1 -i 127.0.0.1 -p 15090 -mp 17000 -m 200 \
    -key case burst -nostdin -timeout 40s -timeout_error -s bob >"$work/uas.log" 2>&1 &
uas=$!
for _ in $(seq 1 50); do ss -ltn | grep -q ':15090 ' && break; sleep 0.1; done
timeout 60 sipp -sf "$scen/uac-call.xml" 127.0.0.1:15090 -t t1 -i 127.0.0.1 -p 15080 -mp 16000 \
    -m 200 -r 400 -l 200 -d 20 -key case burst -cid_str "burst-%u@sipscope.test" \
    -nostdin -timeout 40s -timeout_error -s bob >"$work/uac.log" 2>&1
wait "$uas"
sleep 1
kill "$td"
wait "$td" || true
cp "$work/c.pcap" "$here/sipp-tcp-burst.pcap"
echo "wrote $here/sipp-tcp-burst.pcap"
