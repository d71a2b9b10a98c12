#!/usr/bin/env python3
"""
A second, independent implementation of the byte constructions of
docs/log-format.md, written from that document alone (standard library only):
RFC 8785 canonical JSON for the values DataDeed logs, log entries, RFC 6962 leaf and
node hashes, the text hash, the application version digest, the certificate
`payloadDigest` and the pledge `amountCommitment`.

Usage: log_format_ref.py < cases.json > results.json

cases.json:
  {"entries":  [event, ...],                      -> {"entry": <UTF-8 text>, "leaf": hex}
   "payloads": [{"payload", "links"?}, ...],     -> {"payloadDigest": hex, "issuedEntry": text, "leaf": hex}
   "amounts":  [{"value","currency","nonce"}],   -> hex
   "forms":    [frozen application form, ...],    -> hex
   "texts":    ["...", ...],                      -> hex
   "nodes":    [[left hex, right hex], ...]}      -> hex
"""
import hashlib
import json
import sys


# ---------------------------------------------------------------- canonical JSON (§2)

def jcs_string(s):
    out = ['"']
    for ch in s:
        c = ord(ch)
        if 0xD800 <= c <= 0xDFFF:
            raise ValueError("lone surrogate")
        if ch == '"':
            out.append('\\"')
        elif ch == '\\':
            out.append('\\\\')
        elif ch == '\b':
            out.append('\\b')
        elif ch == '\t':
            out.append('\\t')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\f':
            out.append('\\f')
        elif ch == '\r':
            out.append('\\r')
        elif c < 0x20:
            out.append('\\u%04x' % c)
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def utf16_key(s):
    # order of UTF-16 code units: big-endian UTF-16 bytes compare the same way
    return s.encode('utf-16-be')


def jcs(value):
    if value is None:
        return 'null'
    if value is True:
        return 'true'
    if value is False:
        return 'false'
    if isinstance(value, int):
        if abs(value) > 2 ** 53 - 1:
            raise ValueError("integer outside the safe range")
        return str(value)
    if isinstance(value, float):
        raise ValueError("DataDeed logs integers only")
    if isinstance(value, str):
        return jcs_string(value)
    if isinstance(value, list):
        return '[' + ','.join(jcs(v) for v in value) + ']'
    if isinstance(value, dict):
        keys = sorted(value.keys(), key=utf16_key)
        return '{' + ','.join(jcs_string(k) + ':' + jcs(value[k]) for k in keys) + '}'
    raise ValueError("not JSON: %r" % (value,))


def canonical_bytes(value):
    return jcs(value).encode('utf-8')


def sha256_hex(b):
    return hashlib.sha256(b).hexdigest()


# ---------------------------------------------------------------- entries and the tree (§3, §4)

def entry_bytes(event):
    e = dict(event)
    e['v'] = 1
    b = canonical_bytes(e)
    if len(b) > 65535:
        raise ValueError("entry too large")
    return b


def leaf_hash(entry):
    return hashlib.sha256(b'\x00' + entry).hexdigest()


def node_hash(left_hex, right_hex):
    return hashlib.sha256(b'\x01' + bytes.fromhex(left_hex) + bytes.fromhex(right_hex)).hexdigest()


# ---------------------------------------------------------------- the hash constructions (§5)

def text_hash(text):
    return sha256_hex(text.encode('utf-8'))


def version_digest(form):
    return sha256_hex(canonical_bytes(form))


def amount_commitment(value, currency, nonce):
    return sha256_hex(canonical_bytes({"currency": currency, "nonce": nonce, "value": value}))


PAYLOAD_FIELDS = ["number", "version", "holder", "dataset", "issuedAt", "validFrom", "validUntil", "origin", "keyId", "supersedes"]


def payload_digest(payload):
    content = {"v": 1}
    for f in PAYLOAD_FIELDS:
        if f in payload:
            content[f] = payload[f]
    return sha256_hex(canonical_bytes(content))


LINKS = ["basis", "applicationId", "approval", "deposits", "prev"]


def issued_event(payload, links):
    event = {
        "kind": "certificate.issued",
        "time": payload["issuedAt"],
        "number": payload["number"],
        "version": payload["version"],
        "holderUscc": payload["holder"]["uscc"],
        "manifestRoot": payload["dataset"]["manifestRoot"],
        "files": payload["dataset"]["files"],
        "bytes": payload["dataset"]["bytes"],
        "validFrom": payload["validFrom"],
        "validUntil": payload["validUntil"],
        "keyId": payload["keyId"],
        "payloadDigest": payload_digest(payload),
    }
    if "supersedes" in payload:
        event["supersedes"] = payload["supersedes"]
    if "depositId" in payload["dataset"]:
        event["depositId"] = payload["dataset"]["depositId"]
    for k in LINKS:
        if k in links:
            event[k] = links[k]
    return event


def main():
    cases = json.load(sys.stdin)
    out = {}
    out["entries"] = []
    for ev in cases.get("entries", []):
        b = entry_bytes(ev)
        out["entries"].append({"entry": b.decode('utf-8'), "leaf": leaf_hash(b)})
    out["payloads"] = []
    for p in cases.get("payloads", []):
        payload = p["payload"]
        b = entry_bytes(issued_event(payload, p.get("links", {})))
        out["payloads"].append({"payloadDigest": payload_digest(payload), "issuedEntry": b.decode('utf-8'), "leaf": leaf_hash(b)})
    out["amounts"] = [amount_commitment(a["value"], a["currency"], a["nonce"]) for a in cases.get("amounts", [])]
    out["forms"] = [version_digest(f) for f in cases.get("forms", [])]
    out["texts"] = [text_hash(t) for t in cases.get("texts", [])]
    out["nodes"] = [node_hash(l, r) for l, r in cases.get("nodes", [])]
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
