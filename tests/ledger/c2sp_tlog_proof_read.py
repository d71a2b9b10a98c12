#!/usr/bin/env python3
"""An independent reader of C2SP tlog-proof files (c2sp.org/tlog-proof@v1), written
from the specification text alone, with the RFC 6962 / RFC 9162 inclusion check and
the C2SP signed-note Ed25519 log signature checked by `openssl pkeyutl -verify -rawin`.
Nothing from DataDeed is used.

argv: <proof file> <log vkey>
stdout: JSON {"index", "extraLen", "proofLen", "origin", "size", "root", "leafHash",
              "computedRoot", "included", "logSignatureVerified", "signatures": [names]}
"""
import base64
import binascii
import hashlib
import json
import os
import subprocess
import sys
import tempfile


def b64(s):
    return base64.b64decode(s, validate=True)


def main():
    text = open(sys.argv[1], "rb").read().decode("utf-8")
    vkey = sys.argv[2]
    # The proof is a sequence of lines separated by newlines; the checkpoint follows
    # the inclusion proof lines and an empty line, verbatim.
    head, checkpoint = text.split("\n\n", 1)
    lines = head.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1", "first line"
    i = 1
    extra = None
    if lines[i].startswith("extra "):
        extra = b64(lines[i][len("extra "):])
        i += 1
    assert lines[i].startswith("index "), "index line"
    digits = lines[i][len("index "):]
    assert digits.isdigit() and (digits == "0" or not digits.startswith("0")), "index: ASCII decimal, no leading zeroes"
    index = int(digits)
    proof = [b64(l) for l in lines[i + 1:]]
    assert all(len(h) == 32 for h in proof), "proof lines are SHA-256 hashes"

    # tlog-checkpoint body: origin, decimal size, base64 root hash, then signatures after a blank line
    body, sigblock = checkpoint.split("\n\n", 1)
    body += "\n"
    origin, size_text, root_b64 = body.split("\n")[:3]
    size = int(size_text)
    root = b64(root_b64)

    # RFC 6962 leaf hash of the entry (DataDeed's extra data is the entry), then RFC 9162 §2.1.3.2
    leaf = hashlib.sha256(b"\x00" + extra).digest()
    fn, sn, r = index, size - 1, leaf
    ok = index < size
    for p in proof:
        if sn == 0:
            ok = False
            break
        if fn % 2 == 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    included = ok and sn == 0 and r == root

    # the log's signature: vkey <name>+<hex key id>+<base64(0x01 || pub)>; line "— <name> base64(keyid || sig)"
    name, hex_id, key_b64 = vkey.split("+", 2)
    typed = b64(key_b64)
    assert typed[0] == 0x01 and len(typed) == 33
    key_id = hashlib.sha256(name.encode() + b"\n" + b"\x01" + typed[1:]).digest()[:4]
    assert key_id.hex() == hex_id
    names, verified = [], False
    for line in sigblock.rstrip("\n").split("\n"):
        assert line.startswith("\u2014 "), "signature line"
        n, sig_b64 = line[2:].rsplit(" ", 1)
        names.append(n)
        raw = b64(sig_b64)
        if n == name and raw[:4] == key_id:
            with tempfile.TemporaryDirectory() as d:
                der = bytes.fromhex("302a300506032b6570032100") + typed[1:]
                pem = "-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PUBLIC KEY-----\n"
                paths = {k: os.path.join(d, k) for k in ("pub.pem", "msg", "sig")}
                open(paths["pub.pem"], "w").write(pem)
                open(paths["msg"], "wb").write(body.encode())
                open(paths["sig"], "wb").write(raw[4:])
                res = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", paths["pub.pem"], "-rawin", "-in", paths["msg"], "-sigfile", paths["sig"]], capture_output=True, text=True)
                verified = res.returncode == 0
    json.dump({
        "index": index, "extraLen": len(extra) if extra is not None else None, "proofLen": len(proof), "origin": origin,
        "size": size, "root": binascii.hexlify(root).decode(), "leafHash": leaf.hex(), "computedRoot": r.hex(),
        "included": included, "logSignatureVerified": verified, "signatures": names,
    }, sys.stdout)


main()
