#!/bin/sh
# Records sipp_rtp.pcap: one SIPp call on loopback with RTP. The UAC (uac_rtp.xml) offers PCMU
# and telephone-event, streams 2 s of PCMU with rtp_stream, then replays the RFC 2833 digit '1'
# that ships with SIPp (play_pcap_audio dtmf_2833_1.pcap); SIPp's built-in UAS answers with
# PCMU only and echoes every RTP packet (-rtp_echo). Needs root (tcpdump on lo), sip-tester
# (SIPp 3.6 with RTPSTREAM) and /usr/bin/python3.
#   sh tests/data/media/record_sipp_rtp.sh tests/data/media/sipp_rtp.pcap
set -e
out=$(realpath "${1:-sipp_rtp.pcap}")
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
cd "$work"
/usr/bin/python3 - <<'PY'
import struct
data = bytes([0xFF, 0x7F] * 8000)  # 2 s of mu-law samples
fmt = struct.pack("<IHHIIHH", 16, 7, 1, 8000, 8000, 1, 8)  # WAVE_FORMAT_MULAW
open("tone_pcmu.wav", "wb").write(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " +
                                  fmt + b"data" + struct.pack("<I", len(data)) + data)
PY
tcpdump -i lo -U -w "$out" udp 2>/dev/null &
td=$!
sleep 1
uas=$(sipp -sn uas -i 127.0.0.1 -p 5080 -mi 127.0.0.1 -mp 16000 -rtp_echo -m 1 -bg |
      sed -n 's/.*PID=\[\([0-9]*\)\].*/\1/p')
sleep 0.5
timeout 30 sipp 127.0.0.1:5080 -sf "$here/uac_rtp.xml" -i 127.0.0.1 -p 5070 -mi 127.0.0.1 \
    -mp 18000 -m 1 -nostdin -trace_err
sleep 1
kill "$td"
kill "$uas" 2>/dev/null || true  # the background UAS lingers after its call
cd / && rm -rf "$work"
