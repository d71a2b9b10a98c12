#!/usr/bin/env python3
"""An independent check of C2SP tlog-cosignature (Ed25519) lines, written from the
spec text alone: Python's hashlib for SHA-256 and `openssl pkeyutl -verify -rawin` for
Ed25519. Nothing from DataDeed is used.

stdin: JSON {"vkey": "<name>+<hex id>+<base64(0x04 || pub)>", "note": "<signed note>"}
stdout: JSON {"vkeyKeyIdMatches", "lineFound", "keyId", "timestamp", "message", "verified"}
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile


def main():
    req = json.load(sys.stdin)
    vkey, note = req["vkey"], req["note"]
    # vkey: <name>+<hex key ID>+<base64(signature type || public key)>
    name, hex_id, b64 = vkey.split("+", 2)
    typed = base64.b64decode(b64, validate=True)
    assert typed[0] == 0x04 and len(typed) == 33, "not an Ed25519 cosignature key"
    pub = typed[1:]
    # key ID = SHA-256(<name> || "\n" || 0x04 || 32-byte public key)[:4]
    key_id = hashlib.sha256(name.encode() + b"\n" + b"\x04" + pub).digest()[:4]
    out = {"vkeyKeyIdMatches": key_id.hex() == hex_id, "keyId": key_id.hex(), "lineFound": False, "verified": False}
    # signed note: text, a blank line, signature lines "— <name> base64(key ID || signature)"
    split = note.rindex("\n\n")
    text, block = note[: split + 1], note[split + 2 :]
    for line in block.rstrip("\n").split("\n"):
        prefix = "\u2014 " + name + " "
        if not line.startswith(prefix):
            continue
        raw = base64.b64decode(line[len(prefix) :], validate=True)
        if raw[:4] != key_id:
            continue
        out["lineFound"] = True
        # timestamped_signature: u64 big-endian timestamp, then the 64-byte Ed25519 signature
        assert len(raw) == 4 + 8 + 64, "not a timestamped Ed25519 signature"
        timestamp = int.from_bytes(raw[4:12], "big")
        signature = raw[12:]
        message = b"cosignature/v1\n" + b"time " + str(timestamp).encode() + b"\n" + text.encode()
        out["timestamp"] = timestamp
        out["message"] = message.decode()
        with tempfile.TemporaryDirectory() as d:
            # SubjectPublicKeyInfo of an Ed25519 key (RFC 8410): fixed 12-byte prefix + key
            der = bytes.fromhex("302a300506032b6570032100") + pub
            pem = "-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PUBLIC KEY-----\n"
            paths = {k: os.path.join(d, k) for k in ("pub.pem", "msg", "sig")}
            open(paths["pub.pem"], "w").write(pem)
            open(paths["msg"], "wb").write(message)
            open(paths["sig"], "wb").write(signature)
            r = subprocess.run(
                ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", paths["pub.pem"], "-rawin", "-in", paths["msg"], "-sigfile", paths["sig"]],
                capture_output=True,
                text=True,
            )
            out["verified"] = r.returncode == 0 and "Signature Verified Successfully" in r.stdout
        break
    json.dump(out, sys.stdout)


main()
