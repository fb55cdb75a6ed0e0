#!/usr/bin/python3
"""Writes rtp_calls.pcap: SIP calls with RTP whose loss, duplication, reordering, sequence wrap,
DTMF and RTCP are known, for tests/cli/tst_cli_streams.cpp. Run with the system python3 (it has
scapy):  /usr/bin/python3 tests/data/media/make_rtp_pcap.py tests/data/media/rtp_calls.pcap

Contents (times from 1795643700 s, Ethernet/IPv4/UDP):
  media-call-1@sipscope.test  192.0.2.10 <-> 198.51.100.20, PCMU + telephone-event (101)
    A->B 192.0.2.10:40000 -> 198.51.100.20:50000 SSRC 0x11111111: 250 sequence numbers from
         65400 (wraps past 65535), 5 never sent (indexes 20 21 100 180 240), index 50 sent
         twice, indexes 150/151 swapped, DTMF '1' at 120..127 and '#' at 200..205 (the end
         packet of each sent three times) -> 246 packets, 5 lost (2 %), 1 duplicate, 1 late.
    B->A 198.51.100.20:50000 -> 192.0.2.10:40000 SSRC 0x22222222: 250 packets, clean, 20 ms.
    RTCP: an SR from B (50001 -> 40001) and an RR from A about 0x22222222 (40001 -> 50001).
  media-call-2@sipscope.test  answered, RTP only caller -> callee (100 packets): one-way; and
    in PCMA (PT 8) although both SDPs list only 0 and 101: codec mismatch.
  media-call-3@sipscope.test  answered, no RTP at all: no media.
  no SIP: 203.0.113.5:30000 -> 203.0.113.6:30002 SSRC 0x33333333 PT 8, 60 packets (heuristic).
"""
import struct
import sys

from scapy.all import Ether, IP, UDP, Raw, wrpcap

T0 = 1795643700.0
packets = []


def add(t, src, sport, dst, dport, payload):
    p = Ether() / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(load=payload)
    p.time = t
    packets.append(p)


def sdp(ip, port):
    return ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n" % (ip, ip, port))


def sip(start, call_id, cseq, branch, body=""):
    head = ("%s\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK%s\r\n"
            "From: <sip:alice@sipscope.test>;tag=a1\r\nTo: <sip:bob@sipscope.test>%s\r\n"
            "Call-ID: %s\r\nCSeq: %s\r\nMax-Forwards: 70\r\n"
            "Contact: <sip:alice@192.0.2.10:5060>\r\n"
            % (start, branch, "" if start.startswith("INVITE") else ";tag=b1", call_id, cseq))
    if body:
        head += "Content-Type: application/sdp\r\n"
    return (head + "Content-Length: %d\r\n\r\n%s" % (len(body), body)).encode()


def call_setup(t, call_id, a, b, a_port, b_port):
    inv = "INVITE sip:bob@%s SIP/2.0" % b
    add(t, a, 5060, b, 5060, sip(inv, call_id, "1 INVITE", call_id[:6] + "i", sdp(a, a_port)))
    add(t + 0.01, b, 5060, a, 5060, sip("SIP/2.0 100 Trying", call_id, "1 INVITE", call_id[:6] + "i"))
    add(t + 0.05, b, 5060, a, 5060,
        sip("SIP/2.0 200 OK", call_id, "1 INVITE", call_id[:6] + "i", sdp(b, b_port)))
    add(t + 0.06, a, 5060, b, 5060, sip("ACK sip:bob@%s SIP/2.0" % b, call_id, "1 ACK", call_id[:6] + "a"))


def call_end(t, call_id, a, b):
    add(t, a, 5060, b, 5060, sip("BYE sip:bob@%s SIP/2.0" % b, call_id, "2 BYE", call_id[:6] + "b"))
    add(t + 0.01, b, 5060, a, 5060, sip("SIP/2.0 200 OK", call_id, "2 BYE", call_id[:6] + "b"))


def rtp(pt, seq, ts, ssrc, payload, marker=False):
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF,
                       ssrc) + payload


def event(digit, end, duration):
    return struct.pack("!BBH", digit, (0x80 if end else 0) | 10, duration)


def stream_a_to_b(t0, a, b):
    lost = {20, 21, 100, 180, 240}
    dtmf = {}  # index -> (digit, event start index, packet number within the event)
    for k in range(8):
        dtmf[120 + k] = (1, 120, k)
    for k in range(6):
        dtmf[200 + k] = (11, 200, k)
    order = list(range(250))
    order[150], order[151] = order[151], order[150]
    sent = []
    for n, i in enumerate(order):
        if i in lost:
            continue
        if i in dtmf:
            digit, start, k = dtmf[i]
            last = 8 if digit == 1 else 6
            end = k >= last - 3  # the end packet, sent three times (RFC 4733 §2.5.1.4)
            duration = 160 * (last - 2) if end else 160 * (k + 1)
            payload = rtp(101, 65400 + i, 160 * start, 0x11111111, event(digit, end, duration),
                          marker=(k == 0))
        else:
            payload = rtp(0, 65400 + i, 160 * i, 0x11111111, b"\xff" * 160)
        sent.append((t0 + n * 0.02, payload))
        if i == 50:
            sent.append((t0 + n * 0.02 + 0.001, payload))
    for t, payload in sent:
        add(t, a, 40000, b, 50000, payload)


def rtcp_reports(t, a, b):
    sr = struct.pack("!BBHIIIIII", 0x80, 200, 6, 0x22222222, 0xE1234567, 0, 40000, 250, 40000)
    add(t, b, 50001, a, 40001, sr)
    rr = struct.pack("!BBHI", 0x81, 201, 7, 0x11111111)
    rr += struct.pack("!IB", 0x22222222, 0) + b"\x00\x00\x00" + struct.pack("!IIII", 250, 16, 0, 0)
    add(t + 0.001, a, 40001, b, 50001, rr)


def main(path):
    a, b = "192.0.2.10", "198.51.100.20"
    call_setup(T0, "media-call-1@sipscope.test", a, b, 40000, 50000)
    stream_a_to_b(T0 + 0.1, a, b)
    for i in range(250):
        add(T0 + 0.11 + i * 0.02, b, 50000, a, 40000, rtp(0, 1000 + i, 8000 + 160 * i, 0x22222222,
                                                            b"\xff" * 160))
    rtcp_reports(T0 + 5.2, a, b)
    call_end(T0 + 5.3, "media-call-1@sipscope.test", a, b)

    c, d = "192.0.2.30", "198.51.100.40"
    call_setup(T0 + 6, "media-call-2@sipscope.test", c, d, 42000, 52000)
    for i in range(100):
        add(T0 + 6.1 + i * 0.02, c, 42000, d, 52000, rtp(8, i, 160 * i, 0x44444444, b"\xd5" * 160))
    call_end(T0 + 8.2, "media-call-2@sipscope.test", c, d)

    e, f = "192.0.2.50", "198.51.100.60"
    call_setup(T0 + 9, "media-call-3@sipscope.test", e, f, 44000, 54000)
    call_end(T0 + 10, "media-call-3@sipscope.test", e, f)

    for i in range(60):
        add(T0 + 11 + i * 0.02, "203.0.113.5", 30000, "203.0.113.6", 30002,
            rtp(8, 7 + i, 160 * i, 0x33333333, b"\xd5" * 160))
    packets.sort(key=lambda p: float(p.time))
    wrpcap(path, packets)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "rtp_calls.pcap")
