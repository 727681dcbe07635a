#!/usr/bin/env python3
"""independent_check.py: an inspector's independent check of what `attt audit` prints (R7.1).

Written from the specifications only (RFC 9162 section 2.1, C2SP signed-note and tlog-checkpoint,
docs/audit.md "Canonical leaf bytes"), with Python's hashlib and the `cryptography` package's
Ed25519; it shares no code with attt. Usage:
  independent_check.py VKEY CHECKPOINT_FILE EXPORT_FILE INCLUSION_FILE INDEX CONSISTENCY_FILE N1
INCLUSION_FILE holds the output of `attt audit prove --index INDEX` (leaf hash, then the proof) for
the checkpoint's tree size; CONSISTENCY_FILE that of `attt audit prove --from N1 --to SIZE`.
Exit 0 when everything checks, 1 with a message otherwise.
"""
import base64
import hashlib
import json
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def fail(msg):
    print("independent_check: " + msg, file=sys.stderr)
    sys.exit(1)


def h(b):
    return hashlib.sha256(b).digest()


def parse_vkey(vkey):
    name, hexid, b64 = vkey.split("+", 2)  # the base64 key may itself hold "+"
    key = base64.b64decode(b64, validate=True)
    if key[0] != 1 or len(key) != 33:
        fail("verifier key is not Ed25519")
    kid = h(name.encode() + b"\n" + key)[:4]
    if kid.hex() != hexid:
        fail("key id does not match")
    return name, kid, Ed25519PublicKey.from_public_bytes(key[1:])


def open_note(note, vkey):
    name, kid, pub = parse_vkey(vkey)
    i = note.rfind("\n\n")
    text, sigs = note[: i + 1], note[i + 2:]
    for line in sigs.splitlines():
        if not line.startswith("\u2014 "):
            fail("bad signature line")
        sname, b64 = line[2:].split(" ")
        sig = base64.b64decode(b64, validate=True)
        if sname == name and sig[:4] == kid:
            pub.verify(sig[4:], text.encode())  # raises on a bad signature
            return text
    fail("no signature by the key")


def canonical(ev):
    cats = {"auth": 1, "data": 2, "config": 3, "connection": 4, "access": 5}
    outs = {"success": 0, "failure": 1, "denied": 2}
    out = b"\x01"

    def i64(v):
        return struct.pack(">q", v)

    def s(v):
        if v is None:
            return b"\xff\xff\xff\xff"
        b = v.encode()
        return struct.pack(">I", len(b)) + b

    out += i64(ev["seq"]) + i64(ev["time_us"]) + i64(cats[ev["category"]]) + s(ev["action"])
    out += i64(outs[ev["outcome"]]) + i64(ev["actor_account"]) + i64(ev["actor_person"])
    out += i64(ev["actor_agency"]) + s(ev["actor_name"]) + s(ev["session"]) + s(ev["source"])
    out += i64(ev["agency_id"]) + s(ev["object_type"]) + s(ev["object_id"]) + s(ev["rule"]) + s(ev["summary"])
    return out


def mth(leaves):
    n = len(leaves)
    if n == 0:
        return h(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return h(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def verify_inclusion(index, size, leaf, proof, root):
    # RFC 9162 2.1.3.2
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = h(b"\x01" + p + r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = h(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, proof, first_hash, second_hash):
    # RFC 9162 2.1.4.2 (0 < first < second)
    if not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_hash] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = h(b"\x01" + c + fr)
            sr = h(b"\x01" + c + sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = h(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


def main():
    vkey, cp_file, export_file, incl_file, index, cons_file, n1 = sys.argv[1:8]
    index, n1 = int(index), int(n1)
    text = open_note(open(cp_file, encoding="utf-8").read(), vkey)
    origin, size, root_b64 = text.splitlines()[:3]
    size, root = int(size), base64.b64decode(root_b64)
    if origin != vkey.split("+", 1)[0]:
        fail("origin is not the key name")
    leaves = []
    for line in open(export_file, encoding="utf-8"):
        o = json.loads(line)
        if o["type"] == "event":
            leaf = h(b"\x00" + canonical(o))
            if base64.b64encode(leaf).decode() != o["leaf"]:
                fail("leaf of event %d differs from the canonical bytes" % o["seq"])
            if o["seq"] != len(leaves):
                fail("sequence broken at %d" % o["seq"])
            leaves.append(leaf)
    if len(leaves) < size or mth(leaves[:size]) != root:
        fail("root of the export does not match the signed checkpoint")
    lines = [base64.b64decode(x) for x in open(incl_file).read().split()]
    if lines[0] != leaves[index] or not verify_inclusion(index, size, lines[0], lines[1:], root):
        fail("inclusion proof does not verify")
    cons = [base64.b64decode(x) for x in open(cons_file).read().split()]
    if not verify_consistency(n1, size, cons, mth(leaves[:n1]), root):
        fail("consistency proof does not verify")
    print("independent_check: ok (size %d, %d events)" % (size, len(leaves)))


main()
