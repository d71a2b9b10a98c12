/**
 * The witness's own small schema (PostgreSQL 15 and PGlite/PostgreSQL 18 alike). Created
 * by `datadeed witness init`, re-applied idempotently at every start. Invariants live
 * in the database itself: trusted logs and evidence are append-only, and a log's
 * cosigned state only moves forward (size never shrinks, the root never changes at one
 * size).
 */
export const WITNESS_SCHEMA_VERSION = 1;

export const WITNESS_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS witness_meta (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  schema_version integer NOT NULL,
  cosigner_vkey text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE witness_meta IS 'One row: the schema version and the cosigner key this database belongs to (a database is never used with another key).';
COMMENT ON COLUMN witness_meta.singleton IS 'Always true: at most one row.';
COMMENT ON COLUMN witness_meta.schema_version IS 'Version of this schema, checked at start-up.';
COMMENT ON COLUMN witness_meta.cosigner_vkey IS 'The witness cosigner verifier key (C2SP tlog-cosignature vkey, type 0x04).';
COMMENT ON COLUMN witness_meta.created_at IS 'When datadeed witness init created the database.';

CREATE TABLE IF NOT EXISTS witness_trusted_log (
  origin text NOT NULL,
  vkey text NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (origin, vkey)
);
COMMENT ON TABLE witness_trusted_log IS 'Logs the witness cosigns for: append-only (logs are never removed).';
COMMENT ON COLUMN witness_trusted_log.origin IS 'The checkpoint origin line of the log.';
COMMENT ON COLUMN witness_trusted_log.vkey IS 'A verifier key of the log (C2SP signed-note vkey, Ed25519 type 0x01).';
COMMENT ON COLUMN witness_trusted_log.added_at IS 'When the key was trusted.';

CREATE TABLE IF NOT EXISTS witness_log_state (
  origin text PRIMARY KEY,
  origin_hash bytea NOT NULL UNIQUE CHECK (octet_length(origin_hash) = 32),
  tree_size bigint NOT NULL CHECK (tree_size >= 0),
  root_hash bytea NOT NULL CHECK (octet_length(root_hash) = 32),
  note text NOT NULL,
  cosigned_at bigint NOT NULL CHECK (cosigned_at > 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE witness_log_state IS 'The latest checkpoint the witness cosigned, per log: the only state C2SP tlog-witness requires. Rows only move forward.';
COMMENT ON COLUMN witness_log_state.origin IS 'The checkpoint origin line.';
COMMENT ON COLUMN witness_log_state.origin_hash IS 'SHA-256 of the origin, for the monitoring endpoint GET /<hex>/checkpoint.';
COMMENT ON COLUMN witness_log_state.tree_size IS 'Tree size of the latest cosigned checkpoint.';
COMMENT ON COLUMN witness_log_state.root_hash IS 'RFC 6962 root hash of the latest cosigned checkpoint.';
COMMENT ON COLUMN witness_log_state.note IS 'The cosigned checkpoint as served to monitors: body, verified log signatures, the witness cosignature.';
COMMENT ON COLUMN witness_log_state.cosigned_at IS 'POSIX timestamp (seconds) inside the cosignature.';
COMMENT ON COLUMN witness_log_state.updated_at IS 'When the row was written.';

CREATE TABLE IF NOT EXISTS witness_evidence (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  origin text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('fork', 'inconsistent', 'bad_empty_root')),
  submitted text NOT NULL,
  cosigned text,
  digest bytea NOT NULL UNIQUE CHECK (octet_length(digest) = 32),
  received_at timestamptz NOT NULL
);
COMMENT ON TABLE witness_evidence IS 'Refused checkpoints validly signed by a trusted log (possible log misbehaviour), for investigators. Append-only.';
COMMENT ON COLUMN witness_evidence.id IS 'Sequence number, the id in GET /evidence/<id>.';
COMMENT ON COLUMN witness_evidence.origin IS 'The log origin.';
COMMENT ON COLUMN witness_evidence.kind IS 'fork (same size, another root), inconsistent (consistency proof failed), bad_empty_root (size 0, root not SHA-256 of the empty string).';
COMMENT ON COLUMN witness_evidence.submitted IS 'The whole add-checkpoint request body, with the log-signed checkpoint.';
COMMENT ON COLUMN witness_evidence.cosigned IS 'The checkpoint the witness had cosigned at the time (log signatures and cosignature), if any.';
COMMENT ON COLUMN witness_evidence.digest IS 'SHA-256 over kind, submitted and cosigned: the same evidence is kept once.';
COMMENT ON COLUMN witness_evidence.received_at IS 'When the request arrived.';

CREATE OR REPLACE FUNCTION witness_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'witness: % on % is not allowed (append-only)', TG_OP, TG_TABLE_NAME;
END
$fn$;

CREATE OR REPLACE FUNCTION witness_state_forward() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'witness: a log state is never deleted';
  END IF;
  IF NEW.origin <> OLD.origin OR NEW.origin_hash <> OLD.origin_hash
     OR NEW.tree_size < OLD.tree_size
     OR (NEW.tree_size = OLD.tree_size AND NEW.root_hash <> OLD.root_hash) THEN
    RAISE EXCEPTION 'witness: a log state only moves forward (size %, new size %)', OLD.tree_size, NEW.tree_size;
  END IF;
  RETURN NEW;
END
$fn$;

CREATE OR REPLACE TRIGGER witness_trusted_log_append_only BEFORE UPDATE OR DELETE ON witness_trusted_log
  FOR EACH ROW EXECUTE FUNCTION witness_forbid_change();
CREATE OR REPLACE TRIGGER witness_evidence_append_only BEFORE UPDATE OR DELETE ON witness_evidence
  FOR EACH ROW EXECUTE FUNCTION witness_forbid_change();
CREATE OR REPLACE TRIGGER witness_log_state_forward BEFORE UPDATE OR DELETE ON witness_log_state
  FOR EACH ROW EXECUTE FUNCTION witness_state_forward();
`;
