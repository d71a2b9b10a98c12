-- Comments on every registry, encumbrance and evidence table and column.
COMMENT ON TABLE organisations IS 'Organisations: enterprises (data holders), banks, insurers, the registry.';
--> statement-breakpoint
COMMENT ON COLUMN organisations.id IS 'Random UUID.';
--> statement-breakpoint
COMMENT ON COLUMN organisations.name IS 'Display name.';
--> statement-breakpoint
COMMENT ON COLUMN organisations.kind IS 'enterprise | bank | insurer | registry.';
--> statement-breakpoint
COMMENT ON COLUMN organisations.uscc IS '统一社会信用代码 (GB 32100), unique; enterprises must have one to hold certificates.';
--> statement-breakpoint
COMMENT ON COLUMN organisations.created_at IS 'When it was created.';
--> statement-breakpoint
COMMENT ON TABLE users IS 'People and programs acting for an organisation, one role each.';
--> statement-breakpoint
COMMENT ON COLUMN users.id IS 'Random UUID.';
--> statement-breakpoint
COMMENT ON COLUMN users.org_id IS 'The organisation.';
--> statement-breakpoint
COMMENT ON COLUMN users.username IS 'Unique sign-in name.';
--> statement-breakpoint
COMMENT ON COLUMN users.display_name IS 'Shown name.';
--> statement-breakpoint
COMMENT ON COLUMN users.role IS 'applicant | reviewer | bank | insurer | admin.';
--> statement-breakpoint
COMMENT ON COLUMN users.password_hash IS 'scrypt$N$r$p$salt$hash; null: token-only account.';
--> statement-breakpoint
COMMENT ON COLUMN users.disabled IS 'A disabled user cannot sign in or use tokens.';
--> statement-breakpoint
COMMENT ON COLUMN users.created_at IS 'When it was created.';
--> statement-breakpoint
COMMENT ON TABLE api_tokens IS 'API tokens; only the SHA-256 of the secret is stored.';
--> statement-breakpoint
COMMENT ON COLUMN api_tokens.id IS 'Random UUID (shown in listings).';
--> statement-breakpoint
COMMENT ON COLUMN api_tokens.user_id IS 'Owner.';
--> statement-breakpoint
COMMENT ON COLUMN api_tokens.token_hash IS 'SHA-256 hex of the secret (ddt_…).';
--> statement-breakpoint
COMMENT ON COLUMN api_tokens.name IS 'Label.';
--> statement-breakpoint
COMMENT ON COLUMN api_tokens.created_at IS 'Creation time.';
--> statement-breakpoint
COMMENT ON COLUMN api_tokens.expires_at IS 'Expiry; null = none.';
--> statement-breakpoint
COMMENT ON COLUMN api_tokens.last_used_at IS 'Last use (updated at most once a minute).';
--> statement-breakpoint
COMMENT ON COLUMN api_tokens.revoked_at IS 'Revocation time; null = active.';
--> statement-breakpoint
COMMENT ON TABLE sessions IS 'Page sign-in sessions; only the SHA-256 of the cookie is stored.';
--> statement-breakpoint
COMMENT ON COLUMN sessions.id_hash IS 'SHA-256 hex of the session cookie (dds_…).';
--> statement-breakpoint
COMMENT ON COLUMN sessions.user_id IS 'The signed-in user.';
--> statement-breakpoint
COMMENT ON COLUMN sessions.created_at IS 'Sign-in time.';
--> statement-breakpoint
COMMENT ON COLUMN sessions.expires_at IS 'End of the session.';
--> statement-breakpoint
COMMENT ON TABLE applications IS 'Registration applications and their workflow state (src/registry/lifecycle.ts).';
--> statement-breakpoint
COMMENT ON COLUMN applications.id IS 'Random UUID.';
--> statement-breakpoint
COMMENT ON COLUMN applications.kind IS 'initial | change | renewal.';
--> statement-breakpoint
COMMENT ON COLUMN applications.org_id IS 'Applicant (holder) organisation.';
--> statement-breakpoint
COMMENT ON COLUMN applications.created_by IS 'User who started it.';
--> statement-breakpoint
COMMENT ON COLUMN applications.state IS 'Workflow state.';
--> statement-breakpoint
COMMENT ON COLUMN applications.row_version IS 'Optimistic-concurrency version (ETag).';
--> statement-breakpoint
COMMENT ON COLUMN applications.draft IS 'The editable form (JSON).';
--> statement-breakpoint
COMMENT ON COLUMN applications.submitted_version IS 'Number of the last frozen version.';
--> statement-breakpoint
COMMENT ON COLUMN applications.claimed_by IS 'Reviewer who claimed it.';
--> statement-breakpoint
COMMENT ON COLUMN applications.notice_started_at IS 'Start of the (last) public notice period.';
--> statement-breakpoint
COMMENT ON COLUMN applications.notice_ends_at IS 'End of the notice period.';
--> statement-breakpoint
COMMENT ON COLUMN applications.target_certificate IS 'For change/renewal: the certificate it supersedes.';
--> statement-breakpoint
COMMENT ON COLUMN applications.certificate_number IS 'The certificate issued on approval.';
--> statement-breakpoint
COMMENT ON COLUMN applications.last_log_index IS 'Log index of the last state change.';
--> statement-breakpoint
COMMENT ON COLUMN applications.created_at IS 'Creation time.';
--> statement-breakpoint
COMMENT ON COLUMN applications.updated_at IS 'Last change.';
--> statement-breakpoint
COMMENT ON TABLE application_versions IS 'Frozen submitted versions; their digest is logged (application.submitted).';
--> statement-breakpoint
COMMENT ON COLUMN application_versions.application_id IS 'The application.';
--> statement-breakpoint
COMMENT ON COLUMN application_versions.version IS '1, 2, … per submission.';
--> statement-breakpoint
COMMENT ON COLUMN application_versions.data IS 'The complete form as submitted.';
--> statement-breakpoint
COMMENT ON COLUMN application_versions.digest IS 'SHA-256 of its RFC 8785 canonical JSON.';
--> statement-breakpoint
COMMENT ON COLUMN application_versions.submitted_by IS 'Submitting user.';
--> statement-breakpoint
COMMENT ON COLUMN application_versions.submitted_at IS 'Submission time.';
--> statement-breakpoint
COMMENT ON COLUMN application_versions.log_index IS 'Index of the application.submitted entry.';
--> statement-breakpoint
COMMENT ON TABLE application_editors IS 'Everyone who edited a draft; such reviewers may not decide it.';
--> statement-breakpoint
COMMENT ON COLUMN application_editors.application_id IS 'The application.';
--> statement-breakpoint
COMMENT ON COLUMN application_editors.user_id IS 'An editor.';
--> statement-breakpoint
COMMENT ON TABLE application_events IS 'Every workflow step with actor, comment and log index.';
--> statement-breakpoint
COMMENT ON COLUMN application_events.id IS 'Random UUID.';
--> statement-breakpoint
COMMENT ON COLUMN application_events.application_id IS 'The application.';
--> statement-breakpoint
COMMENT ON COLUMN application_events.action IS 'submit, claim, request_changes, …';
--> statement-breakpoint
COMMENT ON COLUMN application_events.from_state IS 'State before.';
--> statement-breakpoint
COMMENT ON COLUMN application_events.to_state IS 'State after.';
--> statement-breakpoint
COMMENT ON COLUMN application_events.actor_id IS 'Acting user; null for the public or the clock.';
--> statement-breakpoint
COMMENT ON COLUMN application_events.comment IS 'Comment or reason (private; the log holds its hash).';
--> statement-breakpoint
COMMENT ON COLUMN application_events.log_index IS 'Index of the entry recording the step.';
--> statement-breakpoint
COMMENT ON COLUMN application_events.at IS 'When.';
--> statement-breakpoint
COMMENT ON TABLE application_samples IS 'The data sample of an application (≤ 1 MiB, type-checked).';
--> statement-breakpoint
COMMENT ON COLUMN application_samples.application_id IS 'The application.';
--> statement-breakpoint
COMMENT ON COLUMN application_samples.filename IS 'Uploaded file name.';
--> statement-breakpoint
COMMENT ON COLUMN application_samples.media_type IS 'Checked media type.';
--> statement-breakpoint
COMMENT ON COLUMN application_samples.bytes IS 'The sample.';
--> statement-breakpoint
COMMENT ON COLUMN application_samples.sha256 IS 'SHA-256 hex of the bytes.';
--> statement-breakpoint
COMMENT ON COLUMN application_samples.uploaded_at IS 'Upload time.';
--> statement-breakpoint
COMMENT ON TABLE objections IS 'Objections (异议) filed during public notice.';
--> statement-breakpoint
COMMENT ON COLUMN objections.id IS 'Random UUID.';
--> statement-breakpoint
COMMENT ON COLUMN objections.application_id IS 'The application.';
--> statement-breakpoint
COMMENT ON COLUMN objections.name IS 'Objector (private).';
--> statement-breakpoint
COMMENT ON COLUMN objections.contact IS 'Objector contact (private).';
--> statement-breakpoint
COMMENT ON COLUMN objections.grounds IS 'Grounds (private; the log holds its hash).';
--> statement-breakpoint
COMMENT ON COLUMN objections.evidence_hash IS 'Optional SHA-256 of the objector evidence.';
--> statement-breakpoint
COMMENT ON COLUMN objections.state IS 'open | dismissed | upheld.';
--> statement-breakpoint
COMMENT ON COLUMN objections.filed_at IS 'Filing time.';
--> statement-breakpoint
COMMENT ON COLUMN objections.decided_by IS 'Deciding reviewer.';
--> statement-breakpoint
COMMENT ON COLUMN objections.decided_at IS 'Decision time.';
--> statement-breakpoint
COMMENT ON COLUMN objections.decision_reason IS 'Reason given.';
--> statement-breakpoint
COMMENT ON COLUMN objections.log_index IS 'Index of the objection.filed entry.';
--> statement-breakpoint
COMMENT ON TABLE certificates IS 'Issued certificates; payload and signature exactly as signed.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.number IS 'DIP-<year>-<6 digits>.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.year IS 'Numbering year (UTC+8).';
--> statement-breakpoint
COMMENT ON COLUMN certificates.seq IS 'Gap-free sequence within the year.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.version IS '1 for a first certificate; +1 per change/renewal/transfer.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.application_id IS 'Application it was issued for.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.org_id IS 'Holder organisation.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.status IS 'active | pledged | superseded | revoked | cancelled | expired.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.row_version IS 'Optimistic-concurrency version.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.dataset_name IS 'Dataset name (public).';
--> statement-breakpoint
COMMENT ON COLUMN certificates.manifest_root IS 'RFC 6962 manifest root (hex).';
--> statement-breakpoint
COMMENT ON COLUMN certificates.payload IS 'RFC 8785 canonical JSON payload as signed.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.signature IS 'Ed25519 signature (base64) over "datadeed certificate v1\n" || payload.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.key_id IS 'Signing key ID (8 hex).';
--> statement-breakpoint
COMMENT ON COLUMN certificates.log_index IS 'Index of the certificate.issued entry.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.leaf_hash IS 'RFC 6962 leaf hash of that entry (hex).';
--> statement-breakpoint
COMMENT ON COLUMN certificates.issued_at IS 'Issue time.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.valid_from IS 'Start of validity.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.valid_until IS 'End of validity.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.supersedes IS 'Previous version.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.superseded_by IS 'Next version.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.status_reason IS 'Revocation reason.';
--> statement-breakpoint
COMMENT ON COLUMN certificates.status_log_index IS 'Index of the entry of the last status change.';
--> statement-breakpoint
COMMENT ON TABLE certificate_counters IS 'Per-year counters for gap-free certificate numbers (row-locked in the issuing transaction).';
--> statement-breakpoint
COMMENT ON COLUMN certificate_counters.year IS 'Numbering year.';
--> statement-breakpoint
COMMENT ON COLUMN certificate_counters.last_seq IS 'Last number used.';
--> statement-breakpoint
COMMENT ON TABLE certificate_events IS 'Every log entry about a certificate (history with proofs).';
--> statement-breakpoint
COMMENT ON COLUMN certificate_events.number IS 'Certificate.';
--> statement-breakpoint
COMMENT ON COLUMN certificate_events.kind IS 'Entry kind.';
--> statement-breakpoint
COMMENT ON COLUMN certificate_events.log_index IS 'Entry index.';
--> statement-breakpoint
COMMENT ON COLUMN certificate_events.at IS 'When.';
--> statement-breakpoint
COMMENT ON TABLE pledges IS 'Pledges (质押): requested by a bank, recorded once the holder consents.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.id IS 'Random UUID.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.pledge_number IS 'PLG-<year>-<6 digits>, set when recorded.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.certificate_number IS 'Pledged certificate (follows renewals).';
--> statement-breakpoint
COMMENT ON COLUMN pledges.pledgee_org_id IS 'The bank.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.requested_by IS 'Requesting user.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.loan_reference IS 'Bank loan reference (private).';
--> statement-breakpoint
COMMENT ON COLUMN pledges.amount IS 'Secured amount (private; the log holds a commitment).';
--> statement-breakpoint
COMMENT ON COLUMN pledges.currency IS 'ISO 4217.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.amount_nonce IS 'Nonce of the amount commitment (given to the pledgee).';
--> statement-breakpoint
COMMENT ON COLUMN pledges.term_start IS 'Loan term start (date).';
--> statement-breakpoint
COMMENT ON COLUMN pledges.term_end IS 'Loan term end (date).';
--> statement-breakpoint
COMMENT ON COLUMN pledges.state IS 'requested | recorded | released | declined.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.subsequent_allowed IS 'The pledgee consented to a further pledge.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.requested_at IS 'Request time.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.consented_by IS 'Holder user who consented.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.recorded_at IS 'When recorded.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.recorded_log_index IS 'Index of pledge.recorded.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.released_at IS 'When released.';
--> statement-breakpoint
COMMENT ON COLUMN pledges.released_log_index IS 'Index of pledge.released.';
--> statement-breakpoint
COMMENT ON TABLE pledge_counters IS 'Per-year counters for gap-free pledge numbers.';
--> statement-breakpoint
COMMENT ON COLUMN pledge_counters.year IS 'Numbering year.';
--> statement-breakpoint
COMMENT ON COLUMN pledge_counters.last_seq IS 'Last number used.';
--> statement-breakpoint
COMMENT ON TABLE licences IS 'Licences (许可) recorded by the holder.';
--> statement-breakpoint
COMMENT ON COLUMN licences.id IS 'Random UUID.';
--> statement-breakpoint
COMMENT ON COLUMN licences.certificate_number IS 'Certificate.';
--> statement-breakpoint
COMMENT ON COLUMN licences.licensee IS 'Licensee name.';
--> statement-breakpoint
COMMENT ON COLUMN licences.licensee_uscc IS 'Licensee 统一社会信用代码, if given.';
--> statement-breakpoint
COMMENT ON COLUMN licences.scope IS 'Scope (private; the log holds its hash).';
--> statement-breakpoint
COMMENT ON COLUMN licences.term_start IS 'Start (date).';
--> statement-breakpoint
COMMENT ON COLUMN licences.term_end IS 'End (date).';
--> statement-breakpoint
COMMENT ON COLUMN licences.exclusive IS 'Exclusive licence.';
--> statement-breakpoint
COMMENT ON COLUMN licences.recorded_at IS 'When recorded.';
--> statement-breakpoint
COMMENT ON COLUMN licences.log_index IS 'Index of licence.recorded.';
--> statement-breakpoint
COMMENT ON TABLE policies IS 'Insurance policies recorded by insurers.';
--> statement-breakpoint
COMMENT ON COLUMN policies.id IS 'Random UUID.';
--> statement-breakpoint
COMMENT ON COLUMN policies.certificate_number IS 'Insured certificate.';
--> statement-breakpoint
COMMENT ON COLUMN policies.insurer_org_id IS 'Insurer.';
--> statement-breakpoint
COMMENT ON COLUMN policies.policy_number IS 'Insurer policy number (unique per insurer).';
--> statement-breakpoint
COMMENT ON COLUMN policies.insured_amount IS 'Insured amount (private).';
--> statement-breakpoint
COMMENT ON COLUMN policies.currency IS 'ISO 4217.';
--> statement-breakpoint
COMMENT ON COLUMN policies.coverage_type IS 'infringement | loss | liability | pledge_credit | other.';
--> statement-breakpoint
COMMENT ON COLUMN policies.term_start IS 'Start (date).';
--> statement-breakpoint
COMMENT ON COLUMN policies.term_end IS 'End (date).';
--> statement-breakpoint
COMMENT ON COLUMN policies.recorded_at IS 'When recorded.';
--> statement-breakpoint
COMMENT ON COLUMN policies.log_index IS 'Index of insurance.recorded.';
--> statement-breakpoint
COMMENT ON TABLE deposits IS 'Evidence deposits (数据存证): one digest and one log entry each; title private to the depositor.';
--> statement-breakpoint
COMMENT ON COLUMN deposits.id IS 'EV-<year>-<8 digits>, never reused.';
--> statement-breakpoint
COMMENT ON COLUMN deposits.org_id IS 'Depositor organisation.';
--> statement-breakpoint
COMMENT ON COLUMN deposits.created_by IS 'Depositing user.';
--> statement-breakpoint
COMMENT ON COLUMN deposits.digest IS 'SHA-256 or manifest root (hex), unique per organisation.';
--> statement-breakpoint
COMMENT ON COLUMN deposits.kind IS 'manifest | file | snapshot | document | other.';
--> statement-breakpoint
COMMENT ON COLUMN deposits.title IS 'Private title.';
--> statement-breakpoint
COMMENT ON COLUMN deposits.files IS 'File count, if given.';
--> statement-breakpoint
COMMENT ON COLUMN deposits.bytes IS 'Byte count, if given.';
--> statement-breakpoint
COMMENT ON COLUMN deposits.previous IS 'Previous deposit of a growing dataset.';
--> statement-breakpoint
COMMENT ON COLUMN deposits.log_index IS 'Index of evidence.deposited.';
--> statement-breakpoint
COMMENT ON COLUMN deposits.leaf_hash IS 'RFC 6962 leaf hash of that entry (hex).';
--> statement-breakpoint
COMMENT ON COLUMN deposits.created_at IS 'Deposit time.';
--> statement-breakpoint
COMMENT ON TABLE deposit_counters IS 'Per-year counters for deposit ids.';
--> statement-breakpoint
COMMENT ON COLUMN deposit_counters.year IS 'Numbering year.';
--> statement-breakpoint
COMMENT ON COLUMN deposit_counters.last_seq IS 'Last number used.';
