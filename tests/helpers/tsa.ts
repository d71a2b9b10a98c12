/**
 * An RFC 3161 time-stamp authority for tests that we did not write: `openssl ts -reply`
 * behind a small node:http wrapper. The CA and the TSA certificate (extendedKeyUsage
 * critical timeStamping) are made with openssl in a temporary directory.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestTsa {
  dir: string;
  url: string;
  /** PEM of the root CA (the trust set), and of the TSA certificate. */
  caPem: string;
  caFile: string;
  tsaFile: string;
  /** Requests answered so far. */
  requests: number;
  close(): Promise<void>;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes a root CA named `name` and a TSA certificate it issued, in `dir`. */
export function makeTsaCertificates(dir: string, name = 'DataDeed Test TSA Root'): void {
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', `/CN=${name}`, '-days', '3650',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl(dir, 'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/CN=DataDeed Test TSA/O=Test Notary Office');
  writeFileSync(path.join(dir, 'tsa.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
  openssl(dir, 'x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa.pem', '-days', '365', '-extfile', 'tsa.ext');
  writeFileSync(path.join(dir, 'tsaserial'), '01\n');
  writeFileSync(
    path.join(dir, 'ts.cnf'),
    `[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = ${dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`,
  );
}

/** Starts the TSA: POST a TimeStampReq, get `openssl ts -reply`'s TimeStampResp. */
export async function startTestTsa(): Promise<TestTsa> {
  const dir = mkdtempSync(path.join(tmpdir(), 'datadeed-tsa-'));
  makeTsaCertificates(dir);
  let n = 0;
  const tsa: TestTsa = {
    dir,
    url: '',
    caPem: readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    caFile: path.join(dir, 'ca.pem'),
    tsaFile: path.join(dir, 'tsa.pem'),
    requests: 0,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = ++n;
      const query = path.join(dir, `q${id}.tsq`);
      const reply = path.join(dir, `r${id}.tsr`);
      writeFileSync(query, Buffer.concat(chunks));
      const r = spawnSync('openssl', ['ts', '-reply', '-config', path.join(dir, 'ts.cnf'), '-queryfile', query, '-out', reply], { encoding: 'utf8' });
      tsa.requests++;
      if (r.status !== 0) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(r.stderr);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(reply));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  tsa.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/tsa`;
  return tsa;
}
