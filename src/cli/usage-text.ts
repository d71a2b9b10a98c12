/**
 * The command line's usage text, and one command's part of it (`datadeed <command>
 * --help`): shared by the full command line (./main.ts) and the file commands' own
 * entry (./file-commands.ts). Text only.
 */
export const USAGE = `usage: datadeed <command> [options]

commands:
  serve [--demo]        serve the registry and its log (PORT, HOST, DATADEED_DATA_DIR, DATABASE_URL …)
  migrate               apply database migrations and exit
  audit [--json] [--trusted-checkpoint FILE] [--full]
                        recompute the whole log and check every checkpoint; exit 1 on the first problem
                        (with FILE, a checkpoint saved earlier: fail if the log does not extend it)
  keys list | keys generate [--purpose certificate|log|document] | keys rotate [--purpose certificate|document] [--key-id ID]
                        list published keys; generate a certificate key, a document-signing key (certified by the
                        registry CA), or the log key (before a log's first start); rotate the active certificate or
                        document key (logged). Keys are never replaced at start.
  deposit <file|dir> --title T [--kind K] [--previous ID] --server URL [--token T] [--out DIR]
                        fingerprint locally and deposit the digest as evidence; saves <id>.receipt.json
  verify <file.pdf|bundle.json> [--key VKEY[,from[,until]]]... [--keys keys.json] [--policy FILE] [--tsa-roots PEM] [--online URL]
                        verify a certificate PDF, bundle or receipt offline (and live status online); with a
                        C2SP tlog-policy, its quorum of witness cosignatures; with TSA roots, the RFC 3161 time;
                        a PDF's signature must cover the whole file and be the registry's document key the log holds
  monitor <registry URL> --data-dir D [--port P] [--key VKEY]... [--interval MS] [--once]
                        follow a registry through its tiles into its own database, check every checkpoint's
                        consistency and every state.committed root, serve the status and lookup endpoints with
                        the same state proofs; a wrong root or a fork: ALERT, evidence in D/evidence/, exit 1
  export-proof <entry index> [--out FILE]
                        write an entry's inclusion proof as a C2SP tlog-proof file (default entry-<index>.tlog-proof)
  orgs add --name N --kind enterprise|bank|insurer|registry [--uscc CODE] | orgs list
  admin create [--org-name N] [--username U] [--name N] [--password-stdin]
                        first run: the registry's organisation and its first administrator (a password is
                        generated and printed once unless given on standard input)
  users add --org ID --username U --name N --role R --password-stdin|--generate-password|--token-only
                        | users list | users disable <user>
  tokens create <user> [--name N] [--expires ISO-TIME] | tokens list | tokens revoke <token id>
  fingerprint <file|dir> [--out manifest.json] [--exclude glob]... [--follow-symlinks] [--threads N] [--quiet] [--json]
                        hash a dataset locally and write its manifest (default ./manifest.json); prints the root
  prove-file <manifest.json> <path> [--out proof.json]
                        inclusion proof of one file of a manifest (stdout unless --out)
  verify-file <proof.json> <file> [--root <hex>] [--online <URL> --certificate <number> | --deposit <id>]
                        check a file against a proof and a trusted manifest root
  witness init --data-dir D --name N | witness add-log --data-dir D --vkey VKEY [--origin O]
  witness serve --data-dir D [--port P] [--host H]
  witness attest --data-dir D --origin O --office NAME --digest HEX --number N [--time T]
                        a notary's witness (C2SP tlog-witness): its own key and database; cosigns trusted logs' checkpoints;
                        attest signs a notarial attestation of a deposited digest (the body of POST /v1/attestations)
  help                  this text
`;

/** The usage lines of one command (its line and its indented continuation lines). */
export function commandUsage(command: string): string | undefined {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${command} `) || l === `  ${command}`);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && /^ {6,}/.test(lines[end]!)) end++;
  return `usage: datadeed\n${lines.slice(start, end).join('\n')}\n`;
}
