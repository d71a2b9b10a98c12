/** C2SP tlog-policy: parsing (every rule of the text) and evaluating signed checkpoints. */
import { describe, expect, it } from 'vitest';
import { concatBytes, sha256, toBase64, utf8 } from '../../src/ledger/index.ts';
import { cosignCheckpoint, evaluatePolicy, parsePolicy, type Policy } from '../../src/witness/index.ts';
import { LOG, ORIGIN, TestLog, logKey, verify, witnessKey } from './fixtures.ts';

const X = [1, 2, 3].map((i) => witnessKey(`x.example/w${i}`, `x${i}`));
const Y = [1, 2, 3].map((i) => witnessKey(`y.example/w${i}`, `y${i}`));

/** The example of the spec (§Example policy), with real keys. */
const SPEC_EXAMPLE = `log ${LOG.vkey}

witness X1 ${X[0]!.vkey}
witness X2 ${X[1]!.vkey}
witness X3 ${X[2]!.vkey}
group X-witnesses 2 X1 X2 X3

witness Y1 ${Y[0]!.vkey}
witness Y2 ${Y[1]!.vkey}
witness Y3 ${Y[2]!.vkey}
group Y-witnesses any Y1 Y2 Y3

group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
`;

async function noteCosignedBy(keys: ReturnType<typeof witnessKey>[], log = new TestLog().append(12)): Promise<string> {
  let note = await log.checkpoint();
  for (const k of keys) note += await cosignCheckpoint(k.cosigner, log.body(), 1_780_000_000);
  return note;
}

function expectPolicyError(text: string, line?: number): void {
  let thrown: unknown;
  try {
    parsePolicy(text);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, text).toMatchObject({ code: 'malformed_policy' });
  if (line !== undefined) expect((thrown as Error).message).toMatch(new RegExp(`^line ${line}:`));
}

describe('parsing', () => {
  it('parses the example of the spec', () => {
    const p = parsePolicy(SPEC_EXAMPLE);
    expect(p.logs.map((l) => l.name)).toEqual([ORIGIN]);
    expect(p.witnesses.map((w) => [w.name, w.keyName, w.type])).toEqual([
      ['X1', 'x.example/w1', 'ed25519'],
      ['X2', 'x.example/w2', 'ed25519'],
      ['X3', 'x.example/w3', 'ed25519'],
      ['Y1', 'y.example/w1', 'ed25519'],
      ['Y2', 'y.example/w2', 'ed25519'],
      ['Y3', 'y.example/w3', 'ed25519'],
    ]);
    expect(p.groups).toEqual([
      { name: 'X-witnesses', threshold: 2, members: ['X1', 'X2', 'X3'] },
      { name: 'Y-witnesses', threshold: 1, members: ['Y1', 'Y2', 'Y3'] },
      { name: 'X-and-Y', threshold: 2, members: ['X-witnesses', 'Y-witnesses'] },
    ]);
    expect(p.quorum).toBe('X-and-Y');
  });

  it('allows comments, blank lines, tabs and surrounding whitespace, URLs, and no final newline', () => {
    const p = parsePolicy(`# a policy\n\t log\t${LOG.vkey}   https://log.example/ \n  # indented comment\n\nwitness\tA ${X[0]!.vkey} https://a.example/\nquorum A`);
    expect(p.logs[0]!.url).toBe('https://log.example/');
    expect(p.witnesses[0]!.url).toBe('https://a.example/');
    expect(p.quorum).toBe('A');
    expect(parsePolicy('quorum none\n')).toEqual({ logs: [], witnesses: [], groups: [], quorum: 'none' });
  });

  it('accepts an ML-DSA-44 witness key (type 0x06) but marks it as not verifiable here', () => {
    const pub = new Uint8Array(1312).fill(7);
    const id = sha256(concatBytes(utf8('pq.example/w'), Uint8Array.of(0x0a, 0x06), pub)).subarray(0, 4);
    const vkey = `pq.example/w+${Buffer.from(id).toString('hex')}+${toBase64(concatBytes(Uint8Array.of(0x06), pub))}`;
    expect(parsePolicy(`witness PQ ${vkey}\nquorum PQ\n`).witnesses[0]!.type).toBe('ml-dsa-44');
  });

  it('refuses each violation of the spec, naming the line', () => {
    const w = (n: string, k = X[0]!) => `witness ${n} ${k.vkey}`;
    const cases: [string, number | undefined][] = [
      ['', undefined], // no quorum
      [`${w('A')}\nquorum A\nquorum A`, 3], // two quorum lines
      ['quorum A', 1], // undefined
      [`quorum A\n${w('A')}`, 1], // defined later
      [`${w('A')}\ngroup G 1 A B\nquorum G`, 2], // undefined member
      [`group G 1 A\n${w('A')}\nquorum G`, 1], // member defined later
      [`${w('A')}\ngroup G 1 A A\nquorum G`, 2], // member twice
      [`${w('A')}\ngroup G 0 A\nquorum G`, 2], // k < 1
      [`${w('A')}\ngroup G 2 A\nquorum G`, 2], // k > n
      [`${w('A')}\ngroup G two A\nquorum G`, 2],
      [`${w('A')}\ngroup G all\nquorum G`, 2], // no members
      [`${w('A')}\ngroup G any none\nquorum G`, 2], // none as a member
      [`${w('none')}\nquorum none`, 1],
      [`${w('A')}\n${w('A', X[1]!)}\nquorum A`, 2], // name twice
      [`${w('A')}\ngroup A any A\nquorum A`, 2], // a group named like a witness
      [`${w('A')}\n${w('B', X[0]!)}\nquorum A`, 2], // the same key twice
      [`log ${LOG.vkey}\nlog ${LOG.vkey.replace(/^[^+]+\+[0-9a-f]{8}/, `other.name+${'0'.repeat(8)}`)}\nquorum none`, 2], // bad key ID
      [`log ${LOG.vkey}\nlog ${logKey('other.name', 'log').vkey}\nquorum none`, 2], // same log key, other name
      [`log ${X[0]!.vkey}\nquorum none`, 1], // a cosigner key as a log key
      [`witness A ${LOG.vkey}\nquorum A`, 1], // a log key as a witness key
      [`witness A ${X[0]!.vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')}\nquorum A`, 1],
      [`witness A\nquorum none`, 1],
      [`log\nquorum none`, 1],
      [`log ${LOG.vkey} url extra\nquorum none`, 1],
      [`quorum none extra`, 1],
      [`witnesses A ${X[0]!.vkey}\nquorum none`, 1], // unknown keyword
      [`# ok\nquorum none\u0007`, 2], // control character
      [`quorum none\r\n`, 1], // CR is a control character
    ];
    for (const [text, line] of cases) expectPolicyError(text, line);
  });
});

describe('evaluating a signed checkpoint', () => {
  const policy = parsePolicy(SPEC_EXAMPLE);

  it('meets the spec example with 2 of X and 1 of Y, and names who signed', async () => {
    const r = await evaluatePolicy(await noteCosignedBy([X[0]!, X[2]!, Y[1]!]), policy, verify);
    expect(r.ok).toBe(true);
    expect(r.failure).toBeUndefined();
    expect(r.log).toMatchObject({ name: ORIGIN });
    expect(r.signed.map((s) => s.witness)).toEqual(['X1', 'X3', 'Y2']);
    expect(r.signed[0]!.timestamp).toBe(1_780_000_000);
    expect(r.missing).toEqual(['X2', 'Y1', 'Y3']);
  });

  it('fails the quorum and names the missing witnesses', async () => {
    const a = await evaluatePolicy(await noteCosignedBy([X[0]!, Y[0]!]), policy, verify);
    expect([a.ok, a.failure]).toEqual([false, 'quorum_not_met']);
    expect(a.missing).toEqual(['X2', 'X3', 'Y2', 'Y3']);
    const b = await evaluatePolicy(await noteCosignedBy(X), policy, verify);
    expect([b.ok, b.failure, b.missing]).toEqual([false, 'quorum_not_met', ['Y1', 'Y2', 'Y3']]);
  });

  it('registry + 1 of 2 notaries passes with one cosignature; registry + 2 of 2 fails naming the missing one', async () => {
    const notaries = `log ${LOG.vkey}\nwitness fuzhou ${X[0]!.vkey}\nwitness xiamen ${Y[0]!.vkey}\n`;
    const note = await noteCosignedBy([X[0]!]);
    const one = await evaluatePolicy(note, parsePolicy(`${notaries}group n 1 fuzhou xiamen\nquorum n\n`), verify);
    expect(one.ok).toBe(true);
    const two = await evaluatePolicy(note, parsePolicy(`${notaries}group n all fuzhou xiamen\nquorum n\n`), verify);
    expect([two.ok, two.failure, two.missing, two.invalid]).toEqual([false, 'quorum_not_met', ['xiamen'], []]);
  });

  it('does not count a tampered cosignature, and says why', async () => {
    const p = parsePolicy(`log ${LOG.vkey}\nwitness A ${X[0]!.vkey}\nquorum A\n`);
    const note = await noteCosignedBy([X[0]!]);
    const line = note.trimEnd().split('\n').at(-1)!;
    const raw = Buffer.from(line.slice(line.lastIndexOf(' ') + 1), 'base64');
    raw[20]! ^= 1;
    const tampered = note.replace(line, `${line.slice(0, line.lastIndexOf(' ') + 1)}${raw.toString('base64')}`);
    const r = await evaluatePolicy(tampered, p, verify);
    expect([r.ok, r.failure, r.missing, r.invalid]).toEqual([false, 'quorum_not_met', ['A'], [{ witness: 'A', reason: 'bad_signature' }]]);
    const future = await evaluatePolicy(note, p, verify, { now: 1_700_000_000 });
    expect(future.invalid).toEqual([{ witness: 'A', reason: 'future_timestamp' }]);
  });

  it('requires a signature by a policy log whose name is the origin', async () => {
    const p: Policy = parsePolicy(`log ${LOG.vkey}\nquorum none\n`);
    expect((await evaluatePolicy(await noteCosignedBy([]), p, verify)).ok).toBe(true);
    const stranger = logKey(ORIGIN, 'stranger');
    const unsigned = await evaluatePolicy(await noteCosignedBy([], new TestLog(ORIGIN, [stranger.signer]).append(3)), p, verify);
    expect(unsigned.failure).toBe('log_signature_missing');
    // the log's key on a checkpoint of another origin
    const renamed = await evaluatePolicy(await noteCosignedBy([], new TestLog('another.origin', [LOG.signer]).append(3)), p, verify);
    expect(renamed.failure).toBe('log_signature_missing');
    const note = await noteCosignedBy([]);
    const line = note.trimEnd().split('\n').at(-1)!;
    const raw = Buffer.from(line.slice(line.lastIndexOf(' ') + 1), 'base64');
    raw[10]! ^= 1; // a signature byte, not the key ID
    const bad = note.replace(line, `${line.slice(0, line.lastIndexOf(' ') + 1)}${raw.toString('base64')}`);
    expect((await evaluatePolicy(bad, p, verify)).failure).toBe('log_signature_invalid');
    expect((await evaluatePolicy('not a note', p, verify)).failure).toBe('malformed_note');
  });

  it('quorum none needs no cosignature; an ML-DSA-44 witness never counts here', async () => {
    const pub = new Uint8Array(1312).fill(7);
    const id = sha256(concatBytes(utf8('pq.example/w'), Uint8Array.of(0x0a, 0x06), pub)).subarray(0, 4);
    const vkey = `pq.example/w+${Buffer.from(id).toString('hex')}+${toBase64(concatBytes(Uint8Array.of(0x06), pub))}`;
    const p = parsePolicy(`log ${LOG.vkey}\nwitness PQ ${vkey}\nwitness A ${X[0]!.vkey}\ngroup G any PQ A\nquorum G\n`);
    const r = await evaluatePolicy(await noteCosignedBy([X[0]!]), p, verify);
    expect([r.ok, r.missing]).toEqual([true, ['PQ']]);
  });
});
