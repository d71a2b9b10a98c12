#!/usr/bin/env python3
"""Second, independent implementation of the DataDeed state map, written from
docs/state-map.md alone (hashlib only, no third-party code).

It builds roots straight from the recursive definition T(S, d) of §4.1 over the whole
key set (no incremental updates, no node store), derives proofs by §5.1, encodes them
by §5.2 and verifies them by §6.

  python3 state_map_ref.py vectors DIR   write the known-answer vectors into DIR
  python3 state_map_ref.py check FILE    check maps and proofs produced by another
                                         implementation; prints a JSON report
  python3 state_map_ref.py example       print the worked example of §8 (markdown)
"""
import hashlib
import json
import os
import sys

E = hashlib.sha256(b"\x13").digest()
MAX_KEY = 1024


class VerifyError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def sha(b):
    return hashlib.sha256(b).digest()


def key_hash(key):
    return sha(b"\x10" + key)


def leaf(k, v):
    return sha(b"\x11" + k + v)


def interior(left, right):
    return sha(b"\x12" + left + right)


def bit(k, i):
    return (k[i // 8] >> (7 - i % 8)) & 1


def cert_key(number):
    return b"\x01" + number.encode("utf-8")


def deposit_key(digest):
    assert len(digest) == 32
    return b"\x02" + digest


# ---------------------------------------------------------------- §4.1


def subtree(pairs, d):
    """T(S, d): pairs is a list of (K, V) agreeing on their first d bits."""
    if not pairs:
        return E
    if len(pairs) == 1:
        k, v = pairs[0]
        return leaf(k, v)
    s0 = [p for p in pairs if bit(p[0], d) == 0]
    s1 = [p for p in pairs if bit(p[0], d) == 1]
    return interior(subtree(s0, d + 1), subtree(s1, d + 1))


def root_of(entries):
    """entries: dict key bytes -> value bytes."""
    return subtree([(key_hash(k), v) for k, v in entries.items()], 0)


# ---------------------------------------------------------------- §5


def prove(entries, key):
    """Returns (value or None, kind, siblings list with None for E, other leaf or None)."""
    k = key_hash(key)
    s = [(key_hash(x), v) for x, v in entries.items()]
    siblings = []
    d = 0
    while True:
        if not s:
            return None, 2, siblings, None
        if len(s) == 1:
            k2, v2 = s[0]
            if k2 == k:
                return v2, 1, siblings, None
            return None, 3, siblings, (k2, v2)
        b = bit(k, d)
        same = [p for p in s if bit(p[0], d) == b]
        other = [p for p in s if bit(p[0], d) != b]
        sib = subtree(other, d + 1)
        siblings.append(None if sib == E else sib)
        s = same
        d += 1


def encode(kind, siblings, other):
    depth = len(siblings)
    bitmap = bytearray((depth + 7) // 8)
    body = b""
    for i, s in enumerate(siblings):
        if s is not None:
            bitmap[i // 8] |= 0x80 >> (i % 8)
            body += s
    out = bytes([1, kind, depth >> 8, depth & 0xFF]) + bytes(bitmap) + body
    if kind == 3:
        out += other[0] + other[1]
    return out


def proof_bytes(entries, key):
    value, kind, siblings, other = prove(entries, key)
    return value, encode(kind, siblings, other)


# ---------------------------------------------------------------- §6


def decode(p):
    if len(p) < 4:
        raise VerifyError("malformed_proof")
    version, kind, depth = p[0], p[1], (p[2] << 8) | p[3]
    if version != 1 or kind not in (1, 2, 3) or depth > 256:
        raise VerifyError("malformed_proof")
    nb = (depth + 7) // 8
    if len(p) < 4 + nb:
        raise VerifyError("malformed_proof")
    bitmap = p[4 : 4 + nb]
    bits = [(bitmap[i // 8] >> (7 - i % 8)) & 1 for i in range(nb * 8)]
    if any(bits[depth:]):
        raise VerifyError("malformed_proof")
    sent = sum(bits[:depth])
    if len(p) != 4 + nb + 32 * sent + (64 if kind == 3 else 0):
        raise VerifyError("malformed_proof")
    siblings = []
    pos = 4 + nb
    for i in range(depth):
        if bits[i]:
            s = p[pos : pos + 32]
            if s == E:
                raise VerifyError("malformed_proof")
            siblings.append(s)
            pos += 32
        else:
            siblings.append(None)
    other = (p[pos : pos + 32], p[pos + 32 : pos + 64]) if kind == 3 else None
    return kind, siblings, other


def verify(root, key, value, p):
    """Raises VerifyError(code) or returns None (the proof verifies)."""
    if len(root) != 32:
        raise VerifyError("invalid_root")
    if not 1 <= len(key) <= MAX_KEY:
        raise VerifyError("invalid_key")
    if value is not None and len(value) != 32:
        raise VerifyError("invalid_value")
    kind, siblings, other = decode(p)
    if (kind == 1) != (value is not None):
        raise VerifyError("proof_kind_mismatch")
    depth = len(siblings)
    if depth > 0 and siblings[depth - 1] is None:
        raise VerifyError("proof_not_canonical")
    k = key_hash(key)
    if kind == 3:
        k2 = other[0]
        if k2 == k or any(bit(k2, i) != bit(k, i) for i in range(depth)):
            raise VerifyError("proof_key_mismatch")
    if kind == 1:
        h = leaf(k, value)
    elif kind == 2:
        h = E
    else:
        h = leaf(other[0], other[1])
    for i in range(depth - 1, -1, -1):
        s = E if siblings[i] is None else siblings[i]
        h = interior(h, s) if bit(k, i) == 0 else interior(s, h)
    if h != root:
        raise VerifyError("root_mismatch")


def verify_code(root, key, value, p):
    try:
        verify(root, key, value, p)
        return None
    except VerifyError as e:
        return e.code


# ---------------------------------------------------------------- vectors

H = bytes.hex


def value_of(label):
    return sha(label.encode())


def cert_entries(count, start=1, tag="v1"):
    return {cert_key("DIP-2025-%06d" % i): value_of("status %d %s" % (i, tag)) for i in range(start, start + count)}


def deposit_entries(count, tag="d"):
    return {deposit_key(sha(("file %d" % i).encode())): value_of("deposit %d %s" % (i, tag)) for i in range(count)}


def shared_prefix_keys(bits_wanted):
    """The first two keys SP-<i> whose key hashes share their first `bits_wanted` bits
    (a multiple of 8): found by a deterministic search."""
    seen = {}
    i = 0
    while True:
        key = cert_key("SP-%d" % i)
        prefix = key_hash(key)[: bits_wanted // 8]
        seen.setdefault(prefix, []).append(key)
        if len(seen[prefix]) == 2:
            return seen[prefix]
        i += 1


def lookup_keys(entries, absent):
    return list(entries.keys()) + absent


def map_vector(name, description, steps, absent):
    """steps: list of dicts key -> value or None, applied in order."""
    state = {}
    out_steps = []
    for updates in steps:
        for k, v in updates.items():
            if v is None:
                state.pop(k, None)
            else:
                state[k] = v
        out_steps.append(
            {
                "updates": [{"key": H(k), "value": None if v is None else H(v)} for k, v in updates.items()],
                "root": H(root_of(state)),
                "size": len(state),
            }
        )
    root = root_of(state)
    lookups = []
    kinds = set()
    for key in lookup_keys(state, absent):
        value, p = proof_bytes(state, key)
        assert verify_code(root, key, value, p) is None
        kinds.add(p[1])
        lookups.append({"key": H(key), "value": None if value is None else H(value), "proof": H(p)})
    return {
        "name": name,
        "description": description,
        "steps": out_steps,
        "root": H(root),
        "entries": [{"key": H(k), "value": H(v)} for k, v in sorted(state.items())],
        "lookups": lookups,
    }, kinds


def absent_keys(entries, want_empty=2, want_leaf=2):
    """Absent certificate keys whose proofs end in E and in another leaf (searched)."""
    found = {2: [], 3: []}
    i = 0
    while len(found[2]) < want_empty or len(found[3]) < want_leaf:
        key = cert_key("ABSENT-%d" % i)
        i += 1
        if key in entries:
            continue
        _, kind, _, _ = prove(entries, key)
        if kind in found and len(found[kind]) < (want_empty if kind == 2 else want_leaf):
            found[kind].append(key)
        if i > 100000:
            break
    return found[2] + found[3]


def build_maps():
    maps = []
    # empty map
    v, _ = map_vector("empty", "the empty map: root E; every key absent (ends in E at depth 0)", [{}], [cert_key("DIP-2025-000001"), b"\x00"])
    maps.append(v)
    # one key
    one = cert_entries(1)
    v, _ = map_vector("one-key", "one certificate: the root is its leaf; absent keys end in that leaf at depth 0", [one], [cert_key("DIP-2025-000002")])
    maps.append(v)
    # two keys
    two = cert_entries(2)
    v, _ = map_vector("two-keys", "two certificates", [two], absent_keys(two, 1, 1))
    maps.append(v)
    # the worked example
    ex = example_entries()
    v, _ = map_vector("example", "the worked example of docs/state-map.md §8", [ex], [example_absent()])
    maps.append(v)
    # shared prefix: two keys whose key hashes share the first 16 bits, plus a third
    sp = shared_prefix_keys(16)
    spe = {sp[0]: value_of("sp0"), sp[1]: value_of("sp1"), cert_key("DIP-2025-000001"): value_of("x")}
    v, _ = map_vector(
        "shared-prefix",
        "two keys whose key hashes share their first 16+ bits: a chain of interior nodes with E siblings",
        [spe],
        absent_keys(spe, 2, 2),
    )
    maps.append(v)
    # a larger history: inserts, updates, deletes, re-adds
    certs = cert_entries(40)
    deps = deposit_entries(24)
    step1 = dict(certs)
    step1.update(deps)
    ck = list(certs.keys())
    dk = list(deps.keys())
    step2 = {k: value_of("status %d v2" % i) for i, k in enumerate(ck[:12])}
    step3 = {k: None for k in ck[5:20]}
    step3.update({k: None for k in dk[::3]})
    step3[cert_key("DIP-2025-999999")] = None  # removing an absent key changes nothing
    step4 = {k: value_of("re-added %d" % i) for i, k in enumerate(ck[7:12])}
    step4.update({k: value_of("status %d v2" % i) for i, k in enumerate(ck[:3])})  # same value again: no change
    state = dict(step1)
    for st in (step2, step3, step4):
        for k, val in st.items():
            if val is None:
                state.pop(k, None)
            else:
                state[k] = val
    v, _ = map_vector(
        "history",
        "40 certificates and 24 deposits inserted, 12 updated, 23 removed (and one absent key removed), 5 re-added, 3 set to their current value",
        [step1, step2, step3, step4],
        absent_keys(state, 3, 3) + [ck[6], dk[0]],
    )
    maps.append(v)
    # shrink to one key and to empty
    last = {k: None for k in list(cert_entries(5).keys())[1:]}
    v, _ = map_vector(
        "shrink",
        "five certificates, then all but the first removed (its leaf moves up to the root), then that one too",
        [cert_entries(5), last, {cert_key("DIP-2025-000001"): None}],
        [cert_key("DIP-2025-000001")],
    )
    maps.append(v)
    return maps


def example_entries():
    return {
        cert_key("DIP-2025-000001"): value_of("example status 1"),
        cert_key("DIP-2025-000006"): value_of("example status 6"),
        deposit_key(sha(b"hello\n")): value_of("example deposit"),
    }


def example_absent():
    # the first absent number that ends in E (more instructive than another leaf)
    ex = example_entries()
    for i in range(2, 1000):
        key = cert_key("DIP-2025-%06d" % i)
        if prove(ex, key)[1] == 2:
            return key
    raise RuntimeError("no absent key ending in E")


def flip(b, byte_index, bit_index=0):
    x = bytearray(b)
    x[byte_index] ^= 1 << bit_index
    return bytes(x)


def proof_cases():
    cases = []

    def case(name, description, root, key, value, p, want):
        got = verify_code(root, key, value, p)
        assert got == want, (name, got, want)
        cases.append(
            {
                "name": name,
                "description": description,
                "root": H(root),
                "key": H(key),
                "value": None if value is None else H(value),
                "proof": H(p),
                "wantError": want,
            }
        )

    # A map where proofs have both sent and E siblings.
    entries = dict(cert_entries(40))
    entries.update(deposit_entries(24))
    sp = shared_prefix_keys(16)
    entries[sp[0]] = value_of("sp0")
    entries[sp[1]] = value_of("sp1")
    root = root_of(entries)

    # good cases
    deep_key = sp[0]
    deep_value, deep = proof_bytes(entries, deep_key)
    assert deep[1] == 1 and (deep[2] << 8 | deep[3]) >= 17 and (deep[2] << 8 | deep[3]) % 8 != 0
    case("present-deep", "a present key whose path has E siblings (depth %d)" % ((deep[2] << 8) | deep[3]), root, deep_key, deep_value, deep, None)
    k1 = cert_key("DIP-2025-000001")
    v1, p1 = proof_bytes(entries, k1)
    case("present", "a present certificate", root, k1, v1, p1, None)
    absent = absent_keys(entries, 1, 1)
    ae, pe = proof_bytes(entries, absent[0])
    assert pe[1] == 2
    case("absent-empty", "an absent key whose path ends in E", root, absent[0], None, pe, None)
    al, pl = proof_bytes(entries, absent[1])
    assert pl[1] == 3
    case("absent-leaf", "an absent key whose path ends in another key's leaf", root, absent[1], None, pl, None)
    case("empty-map", "absence in the empty map: kind 0x02, depth 0", E, k1, None, bytes([1, 2, 0, 0]), None)
    single = {k1: v1}
    case("single-present", "presence in a one-key map: kind 0x01, depth 0", root_of(single), k1, v1, bytes([1, 1, 0, 0]), None)
    k2 = cert_key("DIP-2025-000002")
    _, ps = proof_bytes(single, k2)
    case("single-absent", "absence in a one-key map: ends in the other leaf at depth 0", root_of(single), k2, None, ps, None)

    # bad cases, derived from the deep presence proof (sent and E siblings, padding bits)
    depth = (deep[2] << 8) | deep[3]
    nb = (depth + 7) // 8
    first = 4 + nb
    case("truncated", "the last byte of the proof removed", root, deep_key, deep_value, deep[:-1], "malformed_proof")
    case("extra-hash", "one more 32-byte hash appended", root, deep_key, deep_value, deep + sha(b"extra"), "malformed_proof")
    case("trailing-byte", "one zero byte appended", root, deep_key, deep_value, deep + b"\x00", "malformed_proof")
    case("empty-bytes", "no bytes at all", root, deep_key, deep_value, b"", "malformed_proof")
    case("header-only", "a header announcing depth %d and nothing else" % depth, root, deep_key, deep_value, deep[:4], "malformed_proof")
    case("bit-flipped-sibling-first", "bit 0 of byte 0 of the first sent sibling flipped", root, deep_key, deep_value, flip(deep, first), "root_mismatch")
    case("bit-flipped-sibling-last", "bit 7 of byte 31 of the last sent sibling flipped", root, deep_key, deep_value, flip(deep, len(deep) - 1, 7), "root_mismatch")
    case("bit-flipped-root", "the trusted root with one bit flipped", flip(root, 5, 3), deep_key, deep_value, deep, "root_mismatch")
    case("wrong-value", "the right proof with another value", root, deep_key, flip(deep_value, 0), deep, "root_mismatch")
    case("wrong-key", "the proof of one present key used for another present key and its value", root, k1, v1, deep, "root_mismatch")
    # find an E bit in the bitmap and set it (claims one more sent sibling than there are bytes)
    bits = [(deep[4 + i // 8] >> (7 - i % 8)) & 1 for i in range(depth)]
    e_at = bits.index(0)
    x = bytearray(deep)
    x[4 + e_at // 8] |= 0x80 >> (e_at % 8)
    case("bitmap-bit-set", "an E sibling's bitmap bit set to 1 without its 32 bytes", root, deep_key, deep_value, bytes(x), "malformed_proof")
    x = bytearray(deep)
    x[4 + e_at // 8] |= 0x80 >> (e_at % 8)
    pos = first + 32 * sum(bits[:e_at])
    case("explicit-empty-sibling", "an E sibling sent as 32 bytes with its bit set", root, deep_key, deep_value, bytes(x[:pos]) + E + bytes(x[pos:]), "malformed_proof")
    s_at = bits.index(1)
    x = bytearray(deep)
    x[4 + s_at // 8] &= ~(0x80 >> (s_at % 8)) & 0xFF
    case("bitmap-bit-cleared", "a sent sibling's bitmap bit cleared, its bytes left in place", root, deep_key, deep_value, bytes(x), "malformed_proof")
    x = bytearray(deep)
    x[4 + nb - 1] |= 1  # the last bit of the bitmap lies beyond depth (depth % 8 != 0)
    case("bitmap-padding-bit", "a padding bit after the last sibling set", root, deep_key, deep_value, bytes(x), "malformed_proof")
    case("unknown-version", "version byte 0x02", root, deep_key, deep_value, b"\x02" + deep[1:], "malformed_proof")
    case("kind-zero", "kind byte 0x00", root, deep_key, deep_value, deep[:1] + b"\x00" + deep[2:], "malformed_proof")
    case("kind-four", "kind byte 0x04", root, deep_key, deep_value, deep[:1] + b"\x04" + deep[2:], "malformed_proof")
    big = bytes([1, 1, 1, 1]) + b"\x00" * 33
    case("depth-257", "depth 257 (above the 256 bits of a key hash)", root, deep_key, deep_value, big, "malformed_proof")
    # one more level with an E sibling: well-formed, but the deepest sibling is E
    d2 = depth + 1
    nb2 = (d2 + 7) // 8
    bm = bytearray(nb2)
    bm[:nb] = deep[4:first]
    case(
        "deepest-sibling-empty",
        "one more level appended whose sibling is E (an honest tree never has it)",
        root,
        deep_key,
        deep_value,
        bytes([1, 1, d2 >> 8, d2 & 0xFF]) + bytes(bm) + deep[first:],
        "proof_not_canonical",
    )
    case("value-with-absence-proof", "a value claimed with an absence proof", root, absent[0], v1, pe, "proof_kind_mismatch")
    case("none-with-presence-proof", "absence claimed with a presence proof", root, deep_key, None, deep, "proof_kind_mismatch")
    # an absence proof that ends in the queried key's own leaf: same root as the presence proof
    own = deep[:1] + b"\x03" + deep[2:] + key_hash(deep_key) + deep_value
    case("absence-ends-in-own-leaf", "an absence proof ending in the queried key's own leaf (would hash to the true root)", root, deep_key, None, own, "proof_key_mismatch")
    # an absence proof ending in a leaf that is not on the key's path
    ka = key_hash(absent[1])
    other = None
    for i in range(100000):
        cand = cert_key("OFFPATH-%d" % i)
        if bit(key_hash(cand), 0) != bit(ka, 0) and cand not in entries:
            other = cand
            break
    case("absence-leaf-off-path", "another key's absence proof (its leaf is not on this key's path)", root, other, None, pl, "proof_key_mismatch")
    case("empty-key", "a key of zero bytes", root, b"", None, pe, "invalid_key")
    case("key-too-long", "a key of 1,025 bytes", root, b"\x01" * 1025, None, pe, "invalid_key")
    case("short-value", "a value of 31 bytes", root, deep_key, deep_value[:31], deep, "invalid_value")
    case("short-root", "a root of 31 bytes", root[:31], deep_key, deep_value, deep, "invalid_root")
    return cases


def hashing_vector():
    keys = [b"\x00", b"a", cert_key("DIP-2025-000123"), cert_key("登记-甲"), deposit_key(sha(b"hello\n")), b"\xff" * 1024]
    return {
        "description": "the byte constructions of docs/state-map.md §2.1 and §3",
        "empty": H(E),
        "keyHashes": [{"key": H(k), "keyHash": H(key_hash(k))} for k in keys],
        "leaves": [
            {"keyHash": H(key_hash(k)), "valueHash": H(value_of("v%d" % i)), "leafHash": H(leaf(key_hash(k), value_of("v%d" % i)))}
            for i, k in enumerate(keys[:3])
        ],
        "interiors": [
            {"left": H(l), "right": H(r), "hash": H(interior(l, r))}
            for l, r in [(E, E), (sha(b"l"), E), (E, sha(b"r")), (sha(b"l"), sha(b"r"))]
        ],
        "certificateKeys": [{"number": n, "key": H(cert_key(n))} for n in ["DIP-2025-000123", "登记-甲", "A"]],
        "depositKeys": [{"digest": H(sha(b"hello\n")), "key": H(deposit_key(sha(b"hello\n")))}],
    }


def dump(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write_vectors(outdir):
    os.makedirs(os.path.join(outdir, "maps"), exist_ok=True)
    os.makedirs(os.path.join(outdir, "proofs"), exist_ok=True)
    dump(os.path.join(outdir, "hashing.json"), hashing_vector())
    for m in build_maps():
        dump(os.path.join(outdir, "maps", m["name"] + ".json"), m)
    for c in proof_cases():
        dump(os.path.join(outdir, "proofs", c["name"] + ".json"), c)
    dump(os.path.join(outdir, "example.json"), example_vector())


# ---------------------------------------------------------------- check


def check(path):
    """Input: {"maps": [{"entries": [{"key","value"}], "root", "lookups": [{"key","value","proof"}]}]}.
    Recomputes every root from the entries, derives every proof independently, compares
    bytes, and runs the verifier on the given proofs."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    failures = []
    checked = 0
    for mi, m in enumerate(doc["maps"]):
        entries = {bytes.fromhex(e["key"]): bytes.fromhex(e["value"]) for e in m["entries"]}
        root = root_of(entries)
        if H(root) != m["root"]:
            failures.append({"map": mi, "what": "root", "want": H(root), "got": m["root"]})
            continue
        for lk in m["lookups"]:
            key = bytes.fromhex(lk["key"])
            value = None if lk["value"] is None else bytes.fromhex(lk["value"])
            p = bytes.fromhex(lk["proof"])
            want_value, want_p = proof_bytes(entries, key)
            if want_value != value or want_p != p:
                failures.append({"map": mi, "what": "proof", "key": lk["key"], "want": H(want_p), "got": lk["proof"]})
            code = verify_code(root, key, value, p)
            if code is not None:
                failures.append({"map": mi, "what": "verify", "key": lk["key"], "code": code})
            checked += 1
    for ci, c in enumerate(doc.get("verify", [])):
        code = verify_code(
            bytes.fromhex(c["root"]),
            bytes.fromhex(c["key"]),
            None if c["value"] is None else bytes.fromhex(c["value"]),
            bytes.fromhex(c["proof"]),
        )
        if code != c["wantError"]:
            failures.append({"verify": ci, "want": c["wantError"], "got": code})
        checked += 1
    print(json.dumps({"checked": checked, "failures": failures}))


# ---------------------------------------------------------------- worked example


def example_vector():
    ex = example_entries()
    root = root_of(ex)
    rows = []
    for k, v in ex.items():
        rows.append({"key": H(k), "keyHash": H(key_hash(k)), "value": H(v), "leafHash": H(leaf(key_hash(k), v))})
    absent = example_absent()
    lookups = []
    for key in list(ex.keys()) + [absent]:
        value, p = proof_bytes(ex, key)
        lookups.append({"key": H(key), "value": None if value is None else H(value), "proof": H(p)})
    return {"description": "docs/state-map.md §8", "entries": rows, "root": H(root), "lookups": lookups}


def example_markdown():
    ex = example_entries()
    names = {
        cert_key("DIP-2025-000001"): "certificate DIP-2025-000001",
        cert_key("DIP-2025-000006"): "certificate DIP-2025-000006",
        deposit_key(sha(b"hello\n")): "digest SHA-256(\"hello\\n\")",
    }
    labels = {
        cert_key("DIP-2025-000001"): 'SHA-256("example status 1")',
        cert_key("DIP-2025-000006"): 'SHA-256("example status 6")',
        deposit_key(sha(b"hello\n")): 'SHA-256("example deposit")',
    }
    out = []
    out.append("Three keys (§2.1), each with a stand-in value hash:\n")
    out.append("| entry | key (hex) | value V |")
    out.append("| --- | --- | --- |")
    for k, v in ex.items():
        out.append("| %s | `%s` | %s = `%s` |" % (names[k], H(k), labels[k], H(v)))
    out.append("")
    out.append("Key hashes K = SHA-256(0x10 ‖ key), their first bits, and the leaves SHA-256(0x11 ‖ K ‖ V):\n")
    out.append("| entry | K | first bits | leaf |")
    out.append("| --- | --- | --- | --- |")
    ks = {}
    for k, v in ex.items():
        kh = key_hash(k)
        ks[k] = kh
        out.append("| %s | `%s` | %s | `%s` |" % (names[k], H(kh), "".join(str(bit(kh, i)) for i in range(8)), H(leaf(kh, v))))
    out.append("")
    out.append("The tree (§4.1), from the root down; each line is a subtree, `0`/`1` the path bits:\n")
    out.append("```")

    def show(pairs, d, path):
        h = subtree(pairs, d)
        pad = "  " * d
        label = path or "root"
        if not pairs:
            out.append("%s%s: E" % (pad, label))
        elif len(pairs) == 1:
            k = [x for x in ex if key_hash(x) == pairs[0][0]][0]
            out.append("%s%s: leaf of %s = %s" % (pad, label, names[k], H(h)))
        else:
            out.append("%s%s: interior = SHA-256(0x12 ‖ T(%s0) ‖ T(%s1)) = %s" % (pad, label, path, path, H(h)))
            show([p for p in pairs if bit(p[0], d) == 0], d + 1, path + "0")
            show([p for p in pairs if bit(p[0], d) == 1], d + 1, path + "1")

    show([(key_hash(k), v) for k, v in ex.items()], 0, "")
    out.append("```")
    out.append("")
    root = root_of(ex)
    out.append("Root: `%s`.\n" % H(root))
    k1 = cert_key("DIP-2025-000001")
    v1, p1 = proof_bytes(ex, k1)
    out.append("Presence proof of certificate DIP-2025-000001 with value `%s…` (§5.2), %d bytes:\n" % (H(v1)[:16], len(p1)))
    out.append("```")
    out.append(explain_proof(p1))
    out.append("```")
    out.append("")
    out.append("Verifying it (§6): steps 1–6 pass; K = `%s`;" % H(ks[k1]))
    kind, sibs, _ = decode(p1)
    h = leaf(ks[k1], v1)
    out.append("h = leaf = `%s`;" % H(h))
    for i in range(len(sibs) - 1, -1, -1):
        s = E if sibs[i] is None else sibs[i]
        b = bit(ks[k1], i)
        h = interior(h, s) if b == 0 else interior(s, h)
        out.append(
            "i = %d, bit %d of K is %d: h = SHA-256(0x12 ‖ %s) = `%s`;"
            % (i, i, b, "h ‖ s[%d]" % i if b == 0 else "s[%d] ‖ h" % i, H(h))
        )
    out.append("h equals the root: the proof verifies.\n")
    absent = example_absent()
    _, pa = proof_bytes(ex, absent)
    number = absent[1:].decode()
    out.append(
        "Absence proof of certificate %s (K = `%s`, first bits %s), %d bytes:\n"
        % (number, H(key_hash(absent)), "".join(str(bit(key_hash(absent), i)) for i in range(8)), len(pa))
    )
    out.append("```")
    out.append(explain_proof(pa))
    out.append("```")
    out.append("")
    out.append("Its path ends in E, so h starts as E and is folded with the siblings exactly as above.")
    return "\n".join(out)


def explain_proof(p):
    kind, sibs, other = decode(p)
    depth = len(sibs)
    nb = (depth + 7) // 8
    lines = ["%s  version 1, kind %d, depth %d" % (H(p[:4]), kind, depth)]
    if nb:
        lines.append("%s  bitmap %s" % (H(p[4 : 4 + nb]), "".join("1" if s is not None else "0" for s in sibs)))
    for i, s in enumerate(sibs):
        if s is not None:
            lines.append("%s  s[%d]" % (H(s), i))
    if other:
        lines.append("%s  K′" % H(other[0]))
        lines.append("%s  V′" % H(other[1]))
    return "\n".join(lines)


def main(argv):
    if len(argv) == 3 and argv[1] == "vectors":
        write_vectors(argv[2])
    elif len(argv) == 3 and argv[1] == "check":
        check(argv[2])
    elif len(argv) == 2 and argv[1] == "example":
        print(example_markdown())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
