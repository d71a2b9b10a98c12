#!/usr/bin/env python3
"""Second, independent checker of DataDeed state proofs, written from docs/log-format.md
(§2.2 canonical JSON, §3 the tree, §6.9 records, §6.10 state.committed and the map's byte
constructions, §8.1 state proofs; the proof encoding of docs/state-map.md §5.2 to which
§6.10 points). hashlib only.

Reads JSON on stdin:
  {"proofs": [{"name", "subject": {"certificate"|"digest"}, "stateProof"}],
   "maps":   [{"name", "root": hex, "records": [record, ...]}]}
and prints {"proofs": [{"name", "ok", "code"}], "maps": [{"name", "ok", "root"}]}.

It does not check the checkpoint's Ed25519 signature (not in the standard library): it
checks that the checkpoint is of the log's form and that the entry is included under its
root; the TypeScript tests check the signature.
"""
import base64
import hashlib
import json
import sys


def sha(b):
    return hashlib.sha256(b).digest()


# ---- §2.2 canonical JSON (the subset DataDeed logs: objects, arrays, strings, integers, null, booleans)
def canon(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        out = ['"']
        for ch in v:
            o = ord(ch)
            if ch == '"':
                out.append('\\"')
            elif ch == "\\":
                out.append("\\\\")
            elif ch == "\b":
                out.append("\\b")
            elif ch == "\t":
                out.append("\\t")
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\f":
                out.append("\\f")
            elif ch == "\r":
                out.append("\\r")
            elif o < 0x20:
                out.append("\\u%04x" % o)
            else:
                out.append(ch)
        out.append('"')
        return "".join(out)
    if isinstance(v, list):
        return "[" + ",".join(canon(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v.keys(), key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(canon(k) + ":" + canon(v[k]) for k in keys) + "}"
    raise ValueError("not canonical JSON")


def record_hash(record):
    return sha(canon(record).encode("utf-8"))


# ---- §6.10 the map's byte constructions
E = sha(b"\x13")


def key_hash(key):
    return sha(b"\x10" + key)


def leaf(k, v):
    return sha(b"\x11" + k + v)


def node(left, right):
    return sha(b"\x12" + left + right)


def bit(k, i):
    return (k[i // 8] >> (7 - i % 8)) & 1


def map_key(subject):
    if "certificate" in subject:
        return b"\x01" + subject["certificate"].encode("utf-8")
    return b"\x02" + bytes.fromhex(subject["digest"])


def subtree(pairs, d):
    """T(S, d): E for none, the leaf of a lone key, else the node of the two halves."""
    if not pairs:
        return E
    if len(pairs) == 1:
        return leaf(pairs[0][0], pairs[0][1])
    return node(subtree([p for p in pairs if bit(p[0], d) == 0], d + 1), subtree([p for p in pairs if bit(p[0], d) == 1], d + 1))


def map_root(records):
    pairs = []
    for r in records:
        subject = {"certificate": r["number"]} if "number" in r else {"digest": r["digest"]}
        pairs.append((key_hash(map_key(subject)), record_hash(r)))
    return subtree(pairs, 0)


class Bad(Exception):
    pass


def map_root_from_proof(key, value, proof):
    """The root a map proof implies (state-map.md §5.2 encoding, §6 steps 4-10)."""
    if len(proof) < 4 or proof[0] != 1 or proof[1] not in (1, 2, 3):
        raise Bad("bad_map_proof")
    kind = proof[1]
    depth = int.from_bytes(proof[2:4], "big")
    if depth > 256:
        raise Bad("bad_map_proof")
    nb = (depth + 7) // 8
    bitmap = proof[4:4 + nb]
    if len(bitmap) != nb:
        raise Bad("bad_map_proof")
    sent = [bit(bitmap, i) for i in range(depth)] if depth else []
    for i in range(depth, nb * 8):
        if bit(bitmap, i):
            raise Bad("bad_map_proof")
    at = 4 + nb
    sibs = []
    for s in sent:
        if s:
            h = proof[at:at + 32]
            if len(h) != 32 or h == E:
                raise Bad("bad_map_proof")
            sibs.append(h)
            at += 32
        else:
            sibs.append(E)
    tail = proof[at:]
    if (kind == 3 and len(tail) != 64) or (kind != 3 and tail):
        raise Bad("bad_map_proof")
    if (kind == 1) != (value is not None):
        raise Bad("bad_map_proof")
    if depth > 0 and not sent[depth - 1]:
        raise Bad("bad_map_proof")
    k = key_hash(key)
    if kind == 1:
        h = leaf(k, value)
    elif kind == 2:
        h = E
    else:
        k2, v2 = tail[:32], tail[32:]
        if k2 == k or any(bit(k2, i) != bit(k, i) for i in range(depth)):
            raise Bad("bad_map_proof")
        h = leaf(k2, v2)
    for i in range(depth - 1, -1, -1):
        h = node(h, sibs[i]) if bit(k, i) == 0 else node(sibs[i], h)
    return h


# ---- §3 the log's tree: RFC 9162 §2.1.3.2 inclusion verification
def rfc_leaf(e):
    return sha(b"\x00" + e)


def rfc_node(a, b):
    return sha(b"\x01" + a + b)


def root_from_inclusion(index, size, leaf_hash, path):
    if index >= size:
        raise Bad("bad_inclusion")
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            raise Bad("bad_inclusion")
        if fn % 2 == 1 or fn == sn:
            r = rfc_node(p, r)
            if fn % 2 == 0:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn % 2 == 1 or fn == 0:
                        break
        else:
            r = rfc_node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Bad("bad_inclusion")
    return r


def check_proof(subject, p):
    if not isinstance(p, dict) or p.get("format") != "datadeed-state-proof/1":
        raise Bad("bad_format")
    body = p["checkpoint"].split("\n\n")[0].split("\n")
    if len(body) < 3:
        raise Bad("bad_checkpoint")
    size, root = int(body[1]), base64.b64decode(body[2])
    if p["inclusion"]["treeSize"] != size:
        raise Bad("bad_inclusion")
    entry = base64.b64decode(p["entry"]["data"])
    index = p["entry"]["index"]
    if root_from_inclusion(index, size, rfc_leaf(entry), [bytes.fromhex(h) for h in p["inclusion"]["proof"]]) != root:
        raise Bad("bad_inclusion")
    ev = json.loads(entry.decode("utf-8"))
    if canon(ev).encode("utf-8") != entry or ev.get("kind") != "state.committed" or ev.get("v") != 1 or ev.get("size") != index:
        raise Bad("bad_entry")
    record = p["record"]
    if record is not None:
        field = "number" if "certificate" in subject else "digest"
        if record.get(field) != subject.get("certificate", subject.get("digest")):
            raise Bad("wrong_key")
    value = None if record is None else record_hash(record)
    if map_root_from_proof(map_key(subject), value, base64.b64decode(p["proof"], validate=True)) != bytes.fromhex(ev["root"]):
        raise Bad("bad_map_proof")


def main():
    data = json.load(sys.stdin)
    out = {"proofs": [], "maps": []}
    for c in data.get("proofs", []):
        try:
            check_proof(c["subject"], c["stateProof"])
            out["proofs"].append({"name": c["name"], "ok": True, "code": None})
        except Bad as e:
            out["proofs"].append({"name": c["name"], "ok": False, "code": str(e)})
        except (KeyError, ValueError, TypeError, IndexError):
            out["proofs"].append({"name": c["name"], "ok": False, "code": "bad_format"})
    for m in data.get("maps", []):
        r = map_root(m["records"]).hex()
        out["maps"].append({"name": m["name"], "ok": r == m["root"], "root": r})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
