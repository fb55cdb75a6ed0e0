#!/usr/bin/env python3
"""Writes the fuzz_calls seeds: [options][flags][len16][SIP]... (format: fuzz/fuzz_calls.cpp)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "[2001:db8::4]"]
STEP = {"0": 0, "1ms": 1, "20ms": 2, "500ms": 3, "5s": 4, "40s": 5, "-1s": 6, "100ms": 7}
SDP = ("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
       "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=%s\r\n")


def req(method, src, dst, cid, cseq, branch, ftag="f1", ttag="", extra="", body="",
        cseq_method=None, user="1001", to_user="2002"):
    to = "<sip:%s@%s>" % (to_user, HOST[dst]) + (";tag=" + ttag if ttag else "")
    lines = ["%s sip:%s@%s SIP/2.0" % (method, to_user, HOST[dst]),
             "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK%s" % (HOST[src], branch),
             "Max-Forwards: 70",
             "From: <sip:%s@%s>;tag=%s" % (user, HOST[src], ftag),
             "To: " + to]
    if cid is not None:
        lines.append("Call-ID: " + cid)
    lines.append("CSeq: %d %s" % (cseq, cseq_method or method))
    lines.append("Contact: <sip:%s@%s>" % (user, HOST[src]))
    lines += [x for x in extra.split("\n") if x]
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append("Content-Length: %d" % len(body))
    return "\r\n".join(lines) + "\r\n\r\n" + body


def resp(code, reason, r, ttag="", extra="", body=""):
    """A response to request text r, with the To tag added."""
    head = r.split("\r\n\r\n")[0].split("\r\n")[1:]
    lines = ["SIP/2.0 %d %s" % (code, reason)]
    for h in head:
        name = h.split(":")[0]
        if name in ("Via", "From", "Call-ID", "CSeq"):
            lines.append(h)
        elif name == "To":
            lines.append(h + (";tag=" + ttag if ttag and "tag=" not in h else ""))
    lines += [x for x in extra.split("\n") if x]
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append("Content-Length: %d" % len(body))
    return "\r\n".join(lines) + "\r\n\r\n" + body


def write(name, options, records):
    out = bytes([options])
    for src, dst, step, text, *tcp in records:
        flags = src | (dst << 2) | ((0x10 if tcp and tcp[0] else 0)) | (STEP[step] << 5)
        b = text.encode()
        out += bytes([flags]) + struct.pack(">H", len(b)) + b
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(out)


def basic_call(cid="c1@a", a=0, b=1, prefix="", invite_extra="", step="20ms"):
    inv = req("INVITE", a, b, cid, 1, prefix + "inv", extra=invite_extra, body=SDP % "sendrecv")
    ack = req("ACK", a, b, cid, 1, prefix + "ack", ttag="t1")
    bye = req("BYE", a, b, cid, 2, prefix + "bye", ttag="t1")
    return inv, ack, bye, [
        (a, b, step, inv), (b, a, step, resp(100, "Trying", inv)),
        (b, a, "500ms", resp(180, "Ringing", inv, "t1")),
        (b, a, "5s", resp(200, "OK", inv, "t1", body=SDP % "sendrecv")),
        (a, b, "1ms", ack), (a, b, "40s", bye), (b, a, "20ms", resp(200, "OK", bye, "t1"))]


def main():
    write("basic-call", 0, basic_call()[3])

    inv, ack, bye, _ = basic_call()
    write("retransmissions", 0, [
        (0, 1, "20ms", inv), (0, 1, "0", inv), (0, 1, "500ms", inv), (0, 1, "500ms", inv),
        (1, 0, "100ms", resp(100, "Trying", inv)), (1, 0, "5s", resp(200, "OK", inv, "t1")),
        (1, 0, "500ms", resp(200, "OK", inv, "t1")), (0, 1, "1ms", ack), (0, 1, "500ms", ack),
        (0, 1, "40s", bye), (0, 1, "500ms", bye), (1, 0, "1ms", resp(200, "OK", bye, "t1")),
        (1, 0, "20ms", resp(200, "OK", bye, "t1"))])

    inv = req("INVITE", 0, 1, "busy@a", 1, "busy")
    ack = req("ACK", 0, 1, "busy@a", 1, "busy", ttag="b1")
    write("busy-486-ack", 0, [(0, 1, "20ms", inv), (1, 0, "20ms", resp(100, "Trying", inv)),
                              (1, 0, "500ms", resp(486, "Busy Here", inv, "b1")),
                              (0, 1, "1ms", ack), (1, 0, "500ms", resp(486, "Busy Here", inv, "b1")),
                              (0, 1, "1ms", ack)])

    inv = req("INVITE", 0, 1, "cancel@a", 1, "cx", body=SDP % "sendrecv")
    cancel = req("CANCEL", 0, 1, "cancel@a", 1, "cx")
    ack = req("ACK", 0, 1, "cancel@a", 1, "cx", ttag="k1")
    write("cancel-487", 1, [(0, 1, "20ms", inv), (1, 0, "1ms", resp(100, "Trying", inv)),
                            (1, 0, "100ms", resp(180, "Ringing", inv, "k1")),
                            (0, 1, "5s", cancel), (1, 0, "1ms", resp(200, "OK", cancel, "k1")),
                            (1, 0, "1ms", resp(487, "Request Terminated", inv, "k1")),
                            (0, 1, "1ms", ack)])

    r1 = req("REGISTER", 0, 2, "reg@a", 1, "reg1", to_user="1001")
    r2 = req("REGISTER", 0, 2, "reg@a", 2, "reg2", to_user="1001",
             extra='Authorization: Digest username="1001", realm="x", nonce="n", '
                   'uri="sip:192.0.2.3", response="00"')
    write("register-401-retry", 0, [
        (0, 2, "20ms", r1),
        (2, 0, "20ms", resp(401, "Unauthorized", r1, "r1",
                            'WWW-Authenticate: Digest realm="x", nonce="n"')),
        (0, 2, "20ms", r2), (2, 0, "20ms", resp(200, "OK", r2, "r1", "Contact: <sip:1001@192.0.2.1>;expires=600"))])

    inv = req("INVITE", 0, 2, "fork@a", 1, "fork", body=SDP % "sendrecv")
    acka = req("ACK", 0, 2, "fork@a", 1, "acka", ttag="fa")
    ackb = req("ACK", 0, 2, "fork@a", 1, "ackb", ttag="fb")
    byeb = req("BYE", 0, 2, "fork@a", 2, "byeb", ttag="fb")
    write("forked-2xx", 0, [
        (0, 2, "20ms", inv), (2, 0, "1ms", resp(100, "Trying", inv)),
        (2, 0, "100ms", resp(180, "Ringing", inv, "fa")),
        (2, 0, "100ms", resp(183, "Session Progress", inv, "fb")),
        (2, 0, "5s", resp(200, "OK", inv, "fa", body=SDP % "sendrecv")),
        (0, 2, "1ms", acka), (2, 0, "20ms", resp(200, "OK", inv, "fb", body=SDP % "sendrecv")),
        (0, 2, "1ms", ackb), (0, 2, "1ms", byeb), (2, 0, "1ms", resp(200, "OK", byeb, "fb")),
        (0, 2, "40s", req("BYE", 0, 2, "fork@a", 3, "byea", ttag="fa"))])

    inv, ack, bye, recs = basic_call("reinv@a")
    reinv = req("INVITE", 0, 1, "reinv@a", 2, "re2", ttag="t1", body=SDP % "sendonly")
    reack = req("ACK", 0, 1, "reinv@a", 2, "re2a", ttag="t1")
    bye3 = req("BYE", 1, 0, "reinv@a", 1, "bye3", ftag="t1", ttag="f1", user="2002",
               to_user="1001")
    write("reinvite-hold", 0, recs[:5] + [
        (0, 1, "5s", reinv), (1, 0, "20ms", resp(200, "OK", reinv, "t1", body=SDP % "recvonly")),
        (0, 1, "1ms", reack), (0, 1, "0", reack), (1, 0, "5s", bye3),
        (0, 1, "20ms", resp(200, "OK", bye3))])

    inv = req("INVITE", 0, 1, "prack@a", 1, "pr", extra="Supported: 100rel\nRequire: 100rel",
              body=SDP % "sendrecv")
    prack = req("PRACK", 0, 1, "prack@a", 2, "prk", ttag="p1", extra="RAck: 1 1 INVITE")
    ack = req("ACK", 0, 1, "prack@a", 1, "pack", ttag="p1")
    upd = req("UPDATE", 1, 0, "prack@a", 1, "upd", ftag="p1", ttag="f1", body=SDP % "sendrecv")
    bye = req("BYE", 0, 1, "prack@a", 3, "pbye", ttag="p1")
    write("prack-100rel", 0, [
        (0, 1, "20ms", inv), (1, 0, "1ms", resp(100, "Trying", inv)),
        (1, 0, "100ms", resp(183, "Session Progress", inv, "p1", "Require: 100rel\nRSeq: 1",
                             SDP % "sendrecv")),
        (1, 0, "500ms", resp(183, "Session Progress", inv, "p1", "Require: 100rel\nRSeq: 1",
                             SDP % "sendrecv")),
        (0, 1, "20ms", prack), (1, 0, "1ms", resp(200, "OK", prack, "p1")),
        (1, 0, "20ms", upd), (0, 1, "1ms", resp(200, "OK", upd)),
        (1, 0, "5s", resp(200, "OK", inv, "p1")), (0, 1, "1ms", ack),
        (0, 1, "5s", bye), (1, 0, "20ms", resp(200, "OK", bye, "p1"))])

    # A (0) -> B2BUA (2) -> B (1); the B-leg carries the A-leg's Call-ID in X-CID.
    ainv = req("INVITE", 0, 2, "aleg@a", 1, "aleg", to_user="+4930123456", body=SDP % "sendrecv")
    binv = req("INVITE", 2, 1, "bleg@p", 1, "bleg", ftag="pb", to_user="030123456",
               extra="X-CID: aleg@a", body=SDP % "sendrecv")
    write("b2bua-x-cid", 0, [
        (0, 2, "20ms", ainv), (2, 0, "1ms", resp(100, "Trying", ainv)),
        (2, 1, "20ms", binv), (1, 2, "1ms", resp(180, "Ringing", binv, "bt")),
        (2, 0, "1ms", resp(180, "Ringing", ainv, "at")),
        (1, 2, "5s", resp(200, "OK", binv, "bt", body=SDP % "sendrecv")),
        (2, 1, "1ms", req("ACK", 2, 1, "bleg@p", 1, "backk", ftag="pb", ttag="bt")),
        (2, 0, "1ms", resp(200, "OK", ainv, "at", body=SDP % "sendrecv")),
        (0, 2, "1ms", req("ACK", 0, 2, "aleg@a", 1, "aack", ttag="at")),
        (0, 2, "40s", req("BYE", 0, 2, "aleg@a", 2, "abye", ttag="at")),
        (2, 1, "1ms", req("BYE", 2, 1, "bleg@p", 2, "bbye", ftag="pb", ttag="bt"))])

    # The same shape without X-CID: the time + number heuristic, one leg over IPv6 and TCP.
    ainv = req("INVITE", 0, 2, "hA@a", 1, "ha", to_user="+4930999888", body=SDP % "sendrecv")
    binv = req("INVITE", 2, 3, "hB@p", 1, "hb", ftag="hp", to_user="004930999888",
               extra="Session-ID: ab30317f1a784dc48ff824d0d3715d86;remote=00000000000000000000000000000000")
    write("b2bua-heuristic-timeout", 1, [
        (0, 2, "20ms", ainv), (2, 3, "100ms", binv, True), (2, 3, "100ms", binv, True),
        (0, 2, "100ms", ainv), (0, 2, "100ms", ainv), (3, 2, "5s", resp(503, "Unavailable", binv, "x"), True),
        (0, 2, "40s", ainv)])

    # A subscription through a record-routing proxy (2) ended by NOTIFY terminated, and one
    # whose refresh gets 481 (RFC 5057: the dialog is gone).
    rr = "Record-Route: <sip:192.0.2.3;lr>"
    sub = req("SUBSCRIBE", 0, 2, "sub@a", 1, "sub", extra="Event: presence\nExpires: 600")
    n1 = req("NOTIFY", 2, 0, "sub@a", 1, "n1", ftag="s1", ttag="f1", user="2002", to_user="1001",
             extra=rr + "\nEvent: presence\nSubscription-State: active;expires=600")
    n2 = req("NOTIFY", 2, 0, "sub@a", 2, "n2", ftag="s1", ttag="f1", user="2002", to_user="1001",
             extra="Event: presence\nSubscription-State: terminated;reason=timeout")
    sub2 = req("SUBSCRIBE", 0, 2, "sub2@a", 1, "s2", extra="Event: dialog\nExpires: 60")
    ref = req("SUBSCRIBE", 0, 2, "sub2@a", 2, "s2r", ttag="x2", extra="Event: dialog\nExpires: 60")
    write("subscribe-notify", 0, [
        (0, 2, "20ms", sub), (2, 0, "1ms", resp(200, "OK", sub, "s1", rr + "\nExpires: 600")),
        (2, 0, "1ms", n1), (0, 2, "1ms", resp(200, "OK", n1)), (2, 0, "5s", n2),
        (0, 2, "1ms", resp(200, "OK", n2)),
        (0, 2, "20ms", sub2), (2, 0, "1ms", resp(202, "Accepted", sub2, "x2", "Expires: 60")),
        (0, 2, "5s", ref), (2, 0, "1ms", resp(481, "Subscription Does Not Exist", ref))])

    write("stray-response", 0, [
        (1, 0, "20ms", resp(200, "OK", req("INVITE", 0, 1, "stray@a", 5, "gone"), "s1")),
        (0, 1, "1ms", req("ACK", 0, 1, "stray@a", 5, "gone2", ttag="s1")),
        (0, 1, "-1s", req("BYE", 0, 1, "stray@a", 6, "sbye", ttag="s1"))])

    # An answered call whose BYE never comes, then a whole call and an OPTIONS later: given out
    # as they end (option bit 2), the later ones come out first, numbered 2 and 3.
    held = basic_call("held@a", prefix="h")[3][:5]
    later = basic_call("later@a", a=2, b=1, prefix="l")[3]
    ping = req("OPTIONS", 0, 1, "ping@a", 1, "ping")
    write("open-call-holds-later", 4, held + later + [
        (0, 1, "40s", ping), (1, 0, "1ms", resp(200, "OK", ping)), (0, 1, "40s", ping)])

    opt = req("OPTIONS", 0, 1, None, 1, "nocid")
    opt2 = req("OPTIONS", 0, 1, "opt@a", 1, "opt")
    write("no-call-id", 0, [(0, 1, "20ms", opt), (1, 0, "1ms", resp(200, "OK", opt)),
                            (0, 1, "20ms", opt2, True), (1, 0, "1ms", resp(200, "OK", opt2), True),
                            (0, 1, "5s", "not a SIP message\r\n\r\n")])


if __name__ == "__main__":
    main()
