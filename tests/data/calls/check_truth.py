#!/usr/bin/env python3
"""Checks truth.tsv against the captures in this folder, using tshark's SIP dissector.

Usage: check_truth.py [CAPTURE.pcap...]   (default: every pcap named in truth.tsv)

truth.tsv is written by hand from the scenarios; this script recounts the columns it can derive
mechanically from the packets, with the rules of README.md ("How the columns are counted"):
  * a message is one SIP message on the wire (one per hop);
  * a retransmission is a later copy of a message with the same sender, receiver, start line,
    CSeq, top Via branch and To tag;
  * a transaction is a (hop, top Via branch, method) of a request, where an ACK joins the INVITE
    transaction of the same hop and branch (ACK for a non-2xx) and is no transaction otherwise
    (ACK for a 2xx); a hop is the unordered pair of endpoints (ip:port);
  * legs: the hops that carried the initial request (no To tag) of the call's kind;
  * dialogs: (hop, To tag) pairs of responses to INVITE: confirmed if a 2xx has it, early-ended if
    only 101-199 responses have it.
Exit status 1 if anything differs.
"""
import collections
import csv
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIELDS = [
    "frame.number", "ip.src", "ipv6.src", "udp.srcport", "tcp.srcport", "ip.dst", "ipv6.dst",
    "udp.dstport", "tcp.dstport", "sip.Call-ID", "sip.Method", "sip.Status-Code", "sip.CSeq.seq",
    "sip.CSeq.method", "sip.Via.branch", "sip.to.tag", "sip.from.user", "sip.to.user",
]
KINDS = {"INVITE": "call", "REGISTER": "register", "OPTIONS": "options", "MESSAGE": "message",
         "SUBSCRIBE": "subscribe"}


def messages(pcap):
    cmd = ["tshark", "-r", pcap, "-Y", "sip", "-T", "fields", "-E", "occurrence=f",
           "-E", "separator=\t"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result = []
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        src = f"{v['ip.src'] or v['ipv6.src']}:{v['udp.srcport'] or v['tcp.srcport']}"
        dst = f"{v['ip.dst'] or v['ipv6.dst']}:{v['udp.dstport'] or v['tcp.dstport']}"
        result.append({
            "frame": int(v["frame.number"]), "src": src, "dst": dst,
            "hop": frozenset((src, dst)), "call_id": v["sip.Call-ID"],
            "method": v["sip.Method"],
            "status": int(v["sip.Status-Code"]) if v["sip.Status-Code"] else None,
            "cseq": int(v["sip.CSeq.seq"]), "cseq_method": v["sip.CSeq.method"],
            "branch": v["sip.Via.branch"].split(",")[0], "to_tag": v["sip.to.tag"],
            "from_user": v["sip.from.user"], "to_user": v["sip.to.user"],
        })
    return result


def derive(msgs):
    first = msgs[0]
    method = first["method"]
    kind = KINDS.get(method, "other")

    seen, retrans = set(), 0
    for m in msgs:
        key = (m["src"], m["dst"], m["method"] or m["status"], m["cseq"], m["cseq_method"],
               m["branch"], m["to_tag"])
        retrans += key in seen
        seen.add(key)

    requests = [m for m in msgs if m["method"]]
    invite_tx = {(m["hop"], m["branch"]) for m in requests if m["method"] == "INVITE"}
    transactions = set()
    for m in requests:
        if m["method"] == "ACK":
            continue  # part of its INVITE transaction, or no transaction at all (2xx)
        transactions.add((m["hop"], m["branch"], m["method"]))
    assert all((m["hop"], m["branch"]) in invite_tx or m["to_tag"]
               for m in requests if m["method"] == "ACK")

    initial = [m for m in requests if m["method"] == method and not m["to_tag"]]
    legs = len({m["hop"] for m in initial})
    # Final response, on the caller's hop, to the last initial request (e.g. after an auth retry).
    last = max(m["cseq"] for m in initial if m["src"] == first["src"])
    finals = [m for m in msgs if m["status"] and m["status"] >= 200 and m["cseq"] == last
              and m["cseq_method"] == method and m["dst"] == first["src"]]
    final = finals[0]["status"] if finals else None

    confirmed, early = set(), set()
    for m in msgs:
        if m["status"] and m["cseq_method"] == "INVITE" and m["to_tag"]:
            if 200 <= m["status"] < 300:
                confirmed.add((m["hop"], m["to_tag"]))
            elif 100 < m["status"] < 200:
                early.add((m["hop"], m["to_tag"]))

    if final is None:
        state = "timeout" if retrans and not any(m["status"] for m in msgs) else "in_progress"
    elif 200 <= final < 300:
        state = "answered"
    elif final in (486, 600):
        state = "busy"
    elif final == 487 or any(m["method"] == "CANCEL" for m in msgs):
        state = "cancelled"
    elif final == 408:
        state = "timeout"
    elif 500 <= final < 600:
        state = "failed"
    else:
        state = "rejected"

    return {
        "kind": kind, "from_user": first["from_user"], "to_user": first["to_user"],
        "state": state, "final_code": str(final or ""), "messages": str(len(msgs)),
        "retransmissions": str(retrans), "legs": str(legs),
        "dialogs_confirmed": str(len(confirmed)), "dialogs_early_ended": str(len(early - confirmed)),
        "transactions": str(len(transactions)),
    }


def main():
    with open(os.path.join(HERE, "truth.tsv"), newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    wanted = {os.path.basename(p) for p in sys.argv[1:]} or {r["pcap"] for r in rows}
    errors = 0
    for pcap in sorted(wanted):
        if not os.path.exists(os.path.join(HERE, pcap)):
            print(f"check_truth: {pcap}: missing")
            errors += 1
            continue
        msgs = messages(os.path.join(HERE, pcap))
        by_call = collections.defaultdict(list)
        for m in msgs:
            by_call[m["call_id"]].append(m)
        expected = [r for r in rows if r["pcap"] == pcap]
        listed = [cid for r in expected for cid in r["call_ids"].split(",")]
        for cid in sorted(set(by_call) - set(listed)):
            print(f"{pcap}: Call-ID {cid} is in the capture but not in truth.tsv")
            errors += 1
        for r in expected:
            cids = r["call_ids"].split(",")
            call = sorted((m for c in cids for m in by_call.get(c, [])), key=lambda m: m["frame"])
            if not call:
                print(f"{pcap}: {r['call_ids']}: no messages in the capture")
                errors += 1
                continue
            got = derive(call)
            for col, value in got.items():
                if r[col] != value:
                    print(f"{pcap}: {r['call_ids']}: {col} is {r[col]!r} in truth.tsv, "
                          f"{value!r} in the capture")
                    errors += 1
        print(f"check_truth: {pcap}: {len(expected)} calls, {len(msgs)} SIP messages checked")
    if errors:
        print(f"check_truth: {errors} difference(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
