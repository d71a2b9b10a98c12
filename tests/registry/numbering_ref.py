#!/usr/bin/env python3
"""Independent reference for src/registry/numbering.ts, written from ISO/IEC 7064 and
规发〔2024〕79号 alone. Reads JSON cases on stdin, prints JSON results.

ISO/IEC 7064 MOD 37,36 is the hybrid system with M = 36: the check character c makes the
whole string satisfy the recursion P(j+1) = (||P(j) + a(j)||_M * 2) mod (M+1), with
P(1) = M and ||x||_M = x mod M, or M when that is 0, ending with ||P(n) + c||_M == 1.
Here it is written as a search over the 36 candidates, unlike the TypeScript closed form."""
import json, sys

ALPHA = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
M = 36

def passes(s):
    p = M
    for ch in s[:-1]:
        t = (p + ALPHA.index(ch)) % M or M
        p = (t * 2) % (M + 1)
    return (p + ALPHA.index(s[-1])) % M == 1

def check(body):
    found = [c for c in ALPHA if passes(body + c)]
    assert len(found) == 1, (body, found)
    return found[0]

def national(year, month, code, serial):
    return "%04d%02d%s%07d" % (year, month, code, serial)

SOURCE = {"own": "1", "licensed": "2", "purchased": "3", "public": "4", "other": "9"}
REGISTRANT = {"enterprise": "1", "organisation": "2", "person": "3"}

def registration(year, source, registrant, seq):
    body = "%04d%s%s%09d" % (year, SOURCE[source], REGISTRANT[registrant], seq)
    return body + check(body)

cases = json.load(sys.stdin)
out = {
    "check": {b: check(b) for b in cases["check"]},
    "national": [national(*c) for c in cases["national"]],
    "registration": [registration(*c) for c in cases["registration"]],
}
print(json.dumps(out))
