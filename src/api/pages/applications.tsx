/**
 * Applications in the browser. The applicant: the complete form (every field the API
 * takes, validated with the registry's own schemas, errors beside the fields), with the
 * dataset fingerprinted in the browser and its root deposited as evidence when the form
 * is saved; submit, answer a change request, withdraw. The reviewer: the queue with
 * filters, search and paging both ways; the case page with every field, the declarations,
 * the sample, the deposit with its proof verified in the browser, the history with each
 * log entry, the objections; decisions with a comment and a confirmation — only those the
 * state allows — each showing the log entry it wrote.
 */
import type { Context, Hono } from 'hono';
import type { FC } from 'hono/jsx';
import type { ApiServices } from '../services.ts';
import type { AppEnv } from '../auth.ts';
import type { Principal } from '../../accounts/pg/index.ts';
import { Layout, page, State, Time } from './layout.tsx';
import { signedIn, viewOf, withQuery, type View } from './view.ts';
import { CheckField, ConfirmForm, emptyForm, ErrorSummary, Field, Flash, formText, issueErrors, refusalOf, SelectField, TableWrap, type FormState } from './ui.tsx';
import { Pager, parseTrail, scanPage } from './paging.tsx';
import { VerifyPanel } from './public.tsx';
import { NAMES, zoneOffset } from './i18n.ts';
import { isCalendarDate, recordId } from '../../fields.ts';
import { checkSample } from '../sample.ts';
import {
  APPLICATION_STATES,
  CommentSchema,
  DraftSchema,
  NewApplicationSchema,
  ReasonSchema,
  RegistryError,
  UPDATE_FREQUENCIES,
  type Draft,
} from '../../registry/index.ts';

type Ctx = Pick<ApiServices, 'registry' | 'accounts' | 'settings' | 'clock' | 'log'>;
/** An application as the service reads it, with its sample and objections (the service's view carries them untyped). */
type AppView = Awaited<ReturnType<ApiServices['registry']['applications']['get']>> & {
  sample: { filename: string; mediaType: string; sha256: string; size: number } | null;
  objections: { id: string; state: string; grounds: string; evidenceHash: string | null; name: string; contact: string; filedAt: string; logIndex: number }[];
};

/** The actions of the case page, by their path segment, and their names in the catalogue. */
const ACTIONS = {
  claim: 'claim',
  'request-changes': 'request_changes',
  reject: 'reject',
  'open-notice': 'open_notice',
  approve: 'approve',
  submit: 'submit',
  withdraw: 'withdraw',
} as const;
type ActionSlug = keyof typeof ACTIONS;
const REVIEWER_ACTIONS: readonly ActionSlug[] = ['claim', 'request-changes', 'reject', 'open-notice', 'approve'];

/** Form control names whose schema path differs, and parent paths shown at their first field. */
const PATH_OF_FIELD: Record<string, string> = {
  manifestRoot: 'manifest.root',
  files: 'manifest.files',
  bytes: 'manifest.bytes',
  holderName: 'holder.name',
  holderUscc: 'holder.uscc',
};
const ERROR_AT: Record<string, string> = {
  manifest: 'manifest.root',
  holder: 'holder.name',
  legality: 'legality.lawfulCollection',
  scale: 'scale.records',
  'scale.files': 'manifest.files',
  'scale.bytes': 'manifest.bytes',
  timeSpan: 'timeSpan.from',
  contact: 'contact.name',
};
/** For the error summary's links: schema path → control name. */
const FIELD_OF_PATH: Record<string, string> = Object.fromEntries([
  ...Object.entries(PATH_OF_FIELD).map(([f, p]) => [p, f]),
  ...[
    'datasetName',
    'dataSource',
    'collectionMethod',
    'legality.lawfulCollection',
    'legality.containsPersonalInfo',
    'legality.containsStateSecrets',
    'legality.protectionMeasures',
    'structure',
    'format',
    'scale.records',
    'updateFrequency',
    'timeSpan.from',
    'timeSpan.to',
    'processingRules',
    'scenarios',
    'industry',
    'contact.name',
    'contact.phone',
    'contact.email',
    'sample',
    'evidenceDepositId',
  ].map((p) => [p, p]),
]);

const TEXT_FIELDS = [
  'manifestRoot',
  'files',
  'bytes',
  'datasetName',
  'holderName',
  'holderUscc',
  'dataSource',
  'collectionMethod',
  'legality.protectionMeasures',
  'structure',
  'format',
  'scale.records',
  'updateFrequency',
  'timeSpan.from',
  'timeSpan.to',
  'processingRules',
  'scenarios',
  'industry',
  'contact.name',
  'contact.phone',
  'contact.email',
] as const;
const CHECKS = ['legality.lawfulCollection', 'legality.containsPersonalInfo', 'legality.containsStateSecrets'] as const;

/** Drop undefined members (and objects left empty) so a draft patch names only what was filled in. */
function compact(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const x = v && typeof v === 'object' && !Array.isArray(v) ? compact(v as Record<string, unknown>) : v;
    if (x !== undefined) out[k] = x;
  }
  return Object.keys(out).length ? out : undefined;
}

/** The form's values as sent, and the draft they make (empty fields left out; the schemas judge the rest). */
function readForm(b: Record<string, unknown>): { values: Record<string, string>; draft: Record<string, unknown> } {
  const values: Record<string, string> = {};
  for (const k of TEXT_FIELDS) {
    const x = formText(b, k);
    if (x !== undefined) values[k] = x;
  }
  for (const k of CHECKS) values[k] = formText(b, k) ? 'yes' : 'no';
  const s = (k: string) => values[k]?.trim() || undefined;
  const num = (k: string) => {
    const x = s(k);
    return x !== undefined && /^\d{1,16}$/.test(x) && Number.isSafeInteger(Number(x)) ? Number(x) : x;
  };
  const scenarios = values.scenarios
    ?.split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const draft = {
    datasetName: s('datasetName'),
    holder: { name: s('holderName'), uscc: s('holderUscc') },
    dataSource: s('dataSource'),
    collectionMethod: s('collectionMethod'),
    legality: {
      lawfulCollection: values['legality.lawfulCollection'] === 'yes',
      containsPersonalInfo: values['legality.containsPersonalInfo'] === 'yes',
      containsStateSecrets: values['legality.containsStateSecrets'] === 'yes',
      protectionMeasures: s('legality.protectionMeasures'),
    },
    scale: { records: num('scale.records'), files: num('files'), bytes: num('bytes') },
    structure: s('structure'),
    format: s('format'),
    updateFrequency: s('updateFrequency'),
    timeSpan: { from: s('timeSpan.from'), to: s('timeSpan.to') },
    processingRules: s('processingRules'),
    scenarios: scenarios?.length ? scenarios : undefined,
    industry: s('industry'),
    manifest: { root: s('manifestRoot'), files: num('files'), bytes: num('bytes') },
    contact: { name: s('contact.name'), phone: s('contact.phone'), email: s('contact.email') },
  };
  return { values, draft: compact(draft) ?? {} };
}

/** A draft as the form's values. */
function valuesOf(d: Draft): Record<string, string> {
  const str = (x: unknown) => (x === undefined || x === null ? '' : String(x));
  return {
    manifestRoot: str(d.manifest?.root),
    files: str(d.manifest?.files),
    bytes: str(d.manifest?.bytes),
    datasetName: str(d.datasetName),
    holderName: str(d.holder?.name),
    holderUscc: str(d.holder?.uscc),
    dataSource: str(d.dataSource),
    collectionMethod: str(d.collectionMethod),
    'legality.lawfulCollection': d.legality?.lawfulCollection ? 'yes' : 'no',
    'legality.containsPersonalInfo': d.legality?.containsPersonalInfo ? 'yes' : 'no',
    'legality.containsStateSecrets': d.legality?.containsStateSecrets ? 'yes' : 'no',
    'legality.protectionMeasures': str(d.legality?.protectionMeasures),
    structure: str(d.structure),
    format: str(d.format),
    'scale.records': str(d.scale?.records),
    updateFrequency: str(d.updateFrequency),
    'timeSpan.from': str(d.timeSpan?.from),
    'timeSpan.to': str(d.timeSpan?.to),
    processingRules: str(d.processingRules),
    scenarios: (d.scenarios ?? []).join('\n'),
    industry: str(d.industry),
    'contact.name': str(d.contact?.name),
    'contact.phone': str(d.contact?.phone),
    'contact.email': str(d.contact?.email),
  };
}

/** The complete application form (new or edit). */
const ApplicationForm: FC<{ v: View; f: FormState; action: string; version?: number; sample?: AppView['sample']; deposit?: { id: string; logIndex: number } }> = ({
  v,
  f,
  action,
  version,
  sample,
  deposit,
}) => (
  <form method="post" action={action} enctype="multipart/form-data" class="card" novalidate data-application-form="">
    <ErrorSummary v={v} f={f} labels={FIELD_OF_PATH} />
    {version !== undefined ? <input type="hidden" name="version" value={String(version)} /> : null}
    <fieldset class="flush">
      <legend>
        <h2>{v.t('app.section.fingerprint')}</h2>
      </legend>
      <p class="muted">{v.t('app.fingerprintHint')}</p>
      <div data-datadeed-fingerprint="" data-worker-src="/assets/fingerprint-worker.js">
        <div class="grid">
          <div>
            <label for="fp-folder">{v.t('app.pickFolder')}</label>
            <input id="fp-folder" type="file" webkitdirectory="" />
          </div>
          <div>
            <label for="fp-files">{v.t('app.pickFiles')}</label>
            <input id="fp-files" type="file" multiple />
          </div>
        </div>
        <label for="fp-progress">{v.t('app.progress')}</label>
        <progress id="fp-progress" value="0" max="1" class="full"></progress>
        <output data-fingerprint-status="" for="fp-folder fp-files" class="mono"></output>
        <Field v={v} f={f} name="manifestRoot" path="manifest.root" label={v.t('app.manifestRoot')} required hint="datadeed fingerprint <dir>" data={{ manifest: 'root' }} />
        <div class="grid">
          <Field v={v} f={f} name="files" path="manifest.files" label={v.t('app.manifestFiles')} required inputmode="numeric" />
          <Field v={v} f={f} name="bytes" path="manifest.bytes" label={v.t('app.manifestBytes')} required inputmode="numeric" />
        </div>
      </div>
      <p data-deposit="">
        <strong>{v.t('app.deposit')}:</strong>{' '}
        {deposit ? (
          <>
            <a href={`/verify/evidence/${deposit.id}`}>{v.t('app.depositDone', { id: deposit.id, index: deposit.logIndex })}</a>
          </>
        ) : (
          v.t('app.depositNone')
        )}
      </p>
    </fieldset>
    <fieldset class="flush">
      <legend>
        <h2>{v.t('app.section.about')}</h2>
      </legend>
      <Field v={v} f={f} name="datasetName" label={v.t('app.datasetName')} required maxlength={200} />
      <div class="grid">
        <Field v={v} f={f} name="holderName" path="holder.name" label={v.t('app.holderName')} required maxlength={200} hint={v.t('app.holderHint')} />
        <div>
          <Field v={v} f={f} name="holderUscc" path="holder.uscc" label={v.t('app.holderUscc')} required maxlength={18} data={{ uscc: '' }} />
          <p id="f-holderUscc-live" class="hint" aria-live="polite" data-uscc-status=""></p>
        </div>
      </div>
      <div class="grid">
        <SelectField
          v={v}
          f={f}
          name="updateFrequency"
          label={v.t('app.updateFrequency')}
          required
          blank="—"
          options={UPDATE_FREQUENCIES.map((x) => ({ value: x, label: v.name('updateFrequency', x) }))}
        />
        <Field v={v} f={f} name="industry" label={v.t('app.industry')} required list="industries" maxlength={5} />
      </div>
      <datalist id="industries">
        {Object.entries(NAMES.industry).map(([code, n]) => (
          <option value={code}>{`${code} ${n[v.lang]}`}</option>
        ))}
      </datalist>
      <div class="grid">
        <Field v={v} f={f} name="timeSpan.from" type="date" label={v.t('app.timeFrom')} required />
        <Field v={v} f={f} name="timeSpan.to" type="date" label={v.t('app.timeTo')} required />
      </div>
    </fieldset>
    <fieldset class="flush">
      <legend>
        <h2>{v.t('app.section.source')}</h2>
      </legend>
      <Field v={v} f={f} name="dataSource" label={v.t('app.dataSource')} required textarea maxlength={2000} />
      <Field v={v} f={f} name="collectionMethod" label={v.t('app.collectionMethod')} required textarea maxlength={2000} />
      <p class="label">{v.t('app.declarations')}</p>
      <CheckField v={v} f={f} name="legality.lawfulCollection" label={v.t('app.lawfulCollection')} />
      <CheckField v={v} f={f} name="legality.containsPersonalInfo" label={v.t('app.containsPersonalInfo')} />
      <CheckField v={v} f={f} name="legality.containsStateSecrets" label={v.t('app.containsStateSecrets')} />
      <Field v={v} f={f} name="legality.protectionMeasures" label={v.t('app.protectionMeasures')} textarea maxlength={5000} />
    </fieldset>
    <fieldset class="flush">
      <legend>
        <h2>{v.t('app.section.content')}</h2>
      </legend>
      <Field v={v} f={f} name="structure" label={v.t('app.structure')} required textarea maxlength={2000} />
      <div class="grid">
        <Field v={v} f={f} name="format" label={v.t('app.format')} required maxlength={200} />
        <Field v={v} f={f} name="scale.records" label={v.t('app.records')} required inputmode="numeric" />
      </div>
      <Field v={v} f={f} name="processingRules" label={v.t('app.processingRules')} required textarea maxlength={5000} />
      <Field v={v} f={f} name="scenarios" label={v.t('app.scenarios')} required textarea rows={3} />
    </fieldset>
    <fieldset class="flush">
      <legend>
        <h2>{v.t('app.section.contact')}</h2>
      </legend>
      <div class="grid3">
        <Field v={v} f={f} name="contact.name" label={v.t('app.contactName')} required maxlength={100} autocomplete="name" />
        <Field v={v} f={f} name="contact.phone" type="tel" label={v.t('app.contactPhone')} required autocomplete="tel" />
        <Field v={v} f={f} name="contact.email" type="email" label={v.t('app.contactEmail')} required autocomplete="email" />
      </div>
      <div class="field">
        <label for="f-sample">
          {v.t('app.sample')} <span class="muted">{v.t('common.optional')}</span>
        </label>
        <input
          id="f-sample"
          type="file"
          name="sample"
          accept=".csv,.json,.ndjson,.txt,.xlsx,text/csv,application/json,text/plain"
          aria-invalid={f.errors.sample ? 'true' : undefined}
          aria-describedby={f.errors.sample ? 'f-sample-err' : sample ? 'f-sample-hint' : undefined}
        />
        {sample ? (
          <p class="hint" id="f-sample-hint">
            {v.t('app.sampleCurrent', { name: sample.filename, size: sample.size, sha: sample.sha256.slice(0, 16) + '…' })}
          </p>
        ) : null}
        {f.errors.sample ? (
          <p class="field-error" id="f-sample-err">
            {f.errors.sample}
          </p>
        ) : null}
      </div>
    </fieldset>
    <p class="row">
      <button type="submit" name="intent" value="save" class="secondary">
        {v.t('app.saveDraft')}
      </button>
      <button type="submit" name="intent" value="submit" data-intent="submit">
        {v.t('app.submit')}
      </button>
    </p>
    <script src="/assets/fingerprint.js"></script>
    <script src="/assets/forms.js"></script>
  </form>
);

/** The reviewer actions the state allows this reviewer (never one the registry would refuse by state). */
export function reviewerActions(a: Pick<AppView, 'state' | 'kind' | 'orgId' | 'claimedBy' | 'noticeEndsAt'>, p: Principal, now: Date): ActionSlug[] {
  if (p.role !== 'reviewer' || a.orgId === p.orgId) return [];
  switch (a.state) {
    case 'submitted':
      return ['claim'];
    case 'in_review':
      if (a.claimedBy && a.claimedBy !== p.userId) return [];
      return ['request-changes', 'reject', a.kind === 'renewal' ? 'approve' : 'open-notice'];
    case 'public_notice':
      return a.kind !== 'renewal' && a.noticeEndsAt && now.getTime() >= new Date(a.noticeEndsAt).getTime() ? ['approve'] : [];
    default:
      return [];
  }
}

/** The applicant actions the state allows. */
function applicantActions(a: Pick<AppView, 'state' | 'orgId'>, p: Principal): ActionSlug[] {
  if (p.role !== 'applicant' || a.orgId !== p.orgId) return [];
  if (a.state === 'draft' || a.state === 'changes_requested') return ['submit', 'withdraw'];
  if (a.state === 'submitted') return ['withdraw'];
  return [];
}

const needsComment = (slug: ActionSlug) => slug === 'request-changes' || slug === 'reject';

export function registerApplicationPages(app: Hono<AppEnv>, ctx: Ctx): void {
  const apps = ctx.registry.applications;
  const getApp = async (p: Principal, id: string) => (await apps.get(p, id)) as AppView;

  /** The form page, fresh or shown again with the values and errors of a refusal. */
  const formPage = (c: Context<AppEnv>, v: View, opts: { f: FormState; action: string; title: string; version?: number; sample?: AppView['sample']; deposit?: { id: string; logIndex: number } }, status = 200) =>
    c.html(
      page(
        <Layout v={v} title={opts.title}>
          <h1>{opts.title}</h1>
          <ApplicationForm v={v} f={opts.f} action={opts.action} version={opts.version} sample={opts.sample} deposit={opts.deposit} />
        </Layout>,
      ),
      status as never,
    );

  /** The deposit an application points at (its draft's, or its last submitted version's), if any. */
  const depositOf = async (p: Principal, draft: Draft) => {
    if (!draft.evidenceDepositId) return undefined;
    try {
      const { view } = await ctx.registry.evidence.get(p, draft.evidenceDepositId);
      return { id: view.id, logIndex: view.logIndex };
    } catch {
      return undefined;
    }
  };

  app.get('/applications/new', (c) => {
    const v = viewOf(c, ctx.settings);
    const p = signedIn(v, 'applicant');
    return formPage(c, v, { f: emptyForm({ holderName: p.orgName, holderUscc: p.orgUscc ?? '' }), action: '/applications/new', title: v.t('app.newTitle') });
  });

  /**
   * Save (and with `intent=submit`, submit) a new or existing application: the draft's
   * fields are checked with the registry's schemas, the manifest root is deposited as
   * evidence (idempotent), the draft written, the sample stored, then — when asked — the
   * application submitted. Any refusal shows the form again with the errors at the fields.
   */
  const save = async (c: Context<AppEnv>, id: string | undefined) => {
    const v = viewOf(c, ctx.settings);
    const p = signedIn(v, 'applicant');
    const b = await c.req.parseBody();
    const { values, draft } = readForm(b);
    const intent = formText(b, 'intent') === 'submit' ? 'submit' : 'save';
    const shownVersion = Number(formText(b, 'version'));
    const version = Number.isSafeInteger(shownVersion) && shownVersion > 0 ? shownVersion : undefined;
    const existing = id ? await getApp(p, id) : undefined;
    const action = id ? `/applications/${id}/edit` : '/applications/new';
    const title = id ? v.t('app.editTitle') : v.t('app.newTitle');
    const again = async (f: FormState, status: number, current?: AppView) =>
      formPage(c, v, { f, action: current ? `/applications/${current.id}/edit` : action, title, version: current?.rowVersion ?? version, sample: current?.sample, deposit: current ? await depositOf(p, current.form) : undefined }, status);

    // an edit comes from the form, which names the version it showed (a post without it changes nothing)
    if (id && version === undefined) return again({ values, errors: { version: v.t('field.required') }, code: 'invalid_field' }, 422, existing);
    // a new application needs its name, holder and fingerprint; an edit any valid subset
    const parsed = (id ? DraftSchema : NewApplicationSchema).safeParse(draft);
    if (!parsed.success) return again({ values, errors: issueErrors(v, parsed.error.issues, ERROR_AT), code: 'invalid_field' }, 422, existing);

    let current: AppView | undefined = existing;
    try {
      // evidence first (存证先行): the root is deposited with the draft (an existing deposit is reused)
      const m = parsed.data.manifest;
      if (m?.root && m.files !== undefined && m.bytes !== undefined) {
        const dep = await ctx.registry.evidence.deposit(p, [
          { digest: m.root, kind: 'manifest', title: parsed.data.datasetName ?? existing?.form.datasetName ?? m.root, files: m.files, bytes: m.bytes },
        ]);
        parsed.data.evidenceDepositId = dep.items[0]!.deposit.id;
      }
      current = (id ? await apps.updateDraft(p, id, parsed.data, version) : await apps.createDraft(p, parsed.data)) as AppView;
      const sample = b.sample;
      if (sample && typeof sample === 'object' && 'arrayBuffer' in sample && (sample as File).size > 0) {
        const file = sample as File;
        const bytes = new Uint8Array(await file.arrayBuffer());
        try {
          await apps.putSample(p, current.id, { filename: file.name || 'sample', mediaType: checkSample(file.type || 'text/plain', bytes), bytes });
        } catch (err) {
          const r = refusalOf(v, err, values);
          return again({ ...r.form, errors: { sample: r.form.message ?? '' } }, r.status, await getApp(p, current.id));
        }
      }
      if (intent === 'submit') {
        current = await getApp(p, current.id);
        await apps.submit(p, current.id, current.rowVersion);
        return c.redirect(`/applications/${current.id}?done=submit`, 303);
      }
    } catch (err) {
      const r = refusalOf(v, err, values, { ...ERROR_AT });
      const fresh = current ? await getApp(p, current.id) : undefined;
      return again({ ...r.form, errors: Object.fromEntries(Object.entries(r.form.errors).map(([k, m]) => [ERROR_AT[k] ?? k, m])) }, r.status, fresh);
    }
    return c.redirect(`/applications/${current!.id}?done=saved`, 303);
  };

  app.post('/applications/new', (c) => save(c, undefined));

  app.get('/applications/:id/edit', async (c) => {
    const v = viewOf(c, ctx.settings);
    const p = signedIn(v, 'applicant');
    const a = await getApp(p, c.req.param('id'));
    if (a.state !== 'draft' && a.state !== 'changes_requested') return c.redirect(`/applications/${a.id}`, 303);
    return formPage(c, v, { f: emptyForm(valuesOf(a.form)), action: `/applications/${a.id}/edit`, title: v.t('app.editTitle'), version: a.rowVersion, sample: a.sample, deposit: await depositOf(p, a.form) });
  });

  app.post('/applications/:id/edit', (c) => {
    const id = c.req.param('id');
    if (!recordId.safeParse(id).success) throw new RegistryError('application_not_found', 'no such application');
    return save(c, id);
  });

  // ── the case page ──
  app.get('/applications/:id', async (c) => {
    const v = viewOf(c, ctx.settings);
    const p = signedIn(v, 'applicant', 'reviewer', 'admin');
    const a = await getApp(p, c.req.param('id'));
    const [history, versions] = await Promise.all([ctx.registry.reads.applicationHistory(p, a.id), apps.versions(p, a.id)]);
    const latest = versions[versions.length - 1];
    const editable = a.state === 'draft' || a.state === 'changes_requested';
    const form = (editable || !latest ? a.form : latest.form) as Draft;
    const depositId = latest?.form && (latest.form as Draft).evidenceDepositId ? (latest.form as Draft).evidenceDepositId : a.form.evidenceDepositId;
    const deposit = depositId ? await ctx.registry.evidence.get(p, depositId).then((d) => d.view).catch(() => undefined) : undefined;
    const staff = p.role !== 'applicant';
    const now = ctx.clock.now();
    const actions = [...reviewerActions(a, p, now), ...applicantActions(a, p)];
    const lastRequest = [...history].reverse().find((h) => h.action === 'request_changes');
    const rejection = [...history].reverse().find((h) => h.action === 'reject' || h.action === 'uphold_objection');
    const names = await ctx.registry.reads.userNames(a.claimedBy ? [a.claimedBy] : []);
    const done = c.req.query('done');
    const doneKey = done && done in ACTIONS ? ACTIONS[done as ActionSlug] : done && done in NAMES.action ? done : undefined;
    const flash =
      done === 'saved'
        ? v.t('app.draftSaved')
        : doneKey
          ? a.lastLogIndex !== null
            ? v.t('common.done', { what: v.name('action', doneKey), index: a.lastLogIndex })
            : v.t('common.doneNoEntry', { what: v.name('action', doneKey) })
          : undefined;
    const name = a.form.datasetName ?? v.t('app.untitled');
    const row = (label: string, value: unknown) => (
      <tr>
        <th scope="row">{label}</th>
        <td>{(value ?? '—') as never}</td>
      </tr>
    );
    const yes = (b: boolean | undefined) => (b === undefined ? '—' : b ? v.t('common.yes') : v.t('common.no'));
    return c.html(
      page(
        <Layout v={v} title={v.t('app.caseTitle', { name })}>
          <h1>{name}</h1>
          <Flash text={flash} />
          {flash && a.lastLogIndex !== null && doneKey ? (
            <p>
              <a href={`/log/entries/${a.lastLogIndex}`} data-written-entry={a.lastLogIndex}>
                {v.t('common.logEntry', { index: a.lastLogIndex })}
              </a>
            </p>
          ) : null}
          <div class="card">
            <p class="row">
              <State v={v} kind="applicationState" value={a.state} />
              <span>{v.name('applicationKind', a.kind)}</span>
              {a.targetCertificate ? <a href={`/verify/${a.targetCertificate}`}>{v.t('app.followUp', { number: a.targetCertificate })}</a> : null}
              {a.certificateNumber ? (
                <a href={p.role === 'applicant' ? `/certificates/${a.certificateNumber}` : `/verify/${a.certificateNumber}`} data-certificate={a.certificateNumber}>
                  {v.t('app.certificate')} {a.certificateNumber}
                </a>
              ) : null}
            </p>
            {a.noticeEndsAt && (a.state === 'public_notice' || a.state === 'objection') ? (
              <p>
                {v.t('app.noticeEnds', { time: v.dt(a.noticeEndsAt) })}
                {a.state === 'objection' ? ` (${v.t('notices.suspended')})` : ''}
              </p>
            ) : null}
            {a.claimedBy ? (
              <p>
                {v.t('app.claimedBy')}: {names.get(a.claimedBy) ?? a.claimedBy}
              </p>
            ) : null}
            {a.state === 'draft' && !staff ? <p class="muted">{v.t('app.notSubmittedYet')}</p> : null}
          </div>
          {a.state === 'changes_requested' && lastRequest ? (
            <section class="note" aria-labelledby="cr-h" data-change-request="">
              <h2 id="cr-h">{v.t('app.changeRequest')}</h2>
              <p class="pre-line">{lastRequest.comment}</p>
              <p class="muted">
                <Time v={v} at={lastRequest.at} /> · <a href={`/log/entries/${lastRequest.logIndex}`}>{v.t('common.logEntry', { index: lastRequest.logIndex })}</a>
              </p>
              {!staff ? <p>{v.t('app.changeRequestHint')}</p> : null}
            </section>
          ) : null}
          {a.state === 'rejected' && rejection?.comment ? (
            <section class="err" aria-labelledby="rj-h">
              <h2 id="rj-h">{v.t('app.rejection')}</h2>
              <p>{rejection.comment}</p>
            </section>
          ) : null}
          <section class="card" aria-labelledby="act-h" data-actions={actions.join(' ')}>
            <h2 id="act-h">{v.t('app.actionsHeading')}</h2>
            {actions.length === 0 && !(p.role === 'applicant' && editable) ? <p>{v.t('app.noActions')}</p> : null}
            <div class="row">
              {p.role === 'applicant' && editable && a.orgId === p.orgId ? (
                <a class="button secondary" href={`/applications/${a.id}/edit`}>
                  {a.state === 'changes_requested' ? v.t('app.editAnswer') : v.t('app.edit')}
                </a>
              ) : null}
              {actions.map((slug) => (
                <a class={`button${slug === 'reject' || slug === 'withdraw' ? ' danger' : ''}`} href={`/applications/${a.id}/${slug}`} data-action={slug}>
                  {v.name('action', ACTIONS[slug])}
                </a>
              ))}
            </div>
          </section>
          <section class="card" aria-labelledby="fields-h">
            <h2 id="fields-h">{v.t('app.fields')}</h2>
            <table>
              {row(v.t('app.datasetName'), form.datasetName)}
              {row(v.t('app.holderName'), form.holder?.name)}
              {row(v.t('app.holderUscc'), form.holder?.uscc)}
              {row(v.t('app.dataSource'), form.dataSource)}
              {row(v.t('app.collectionMethod'), form.collectionMethod)}
              {row(v.t('app.structure'), form.structure)}
              {row(v.t('app.format'), form.format)}
              {row(v.t('app.records'), form.scale?.records)}
              {row(v.t('app.manifestFiles'), form.manifest?.files)}
              {row(v.t('app.manifestBytes'), form.manifest?.bytes)}
              {row(v.t('app.updateFrequency'), v.name('updateFrequency', form.updateFrequency))}
              {row(v.t('app.timeFrom'), form.timeSpan ? `${form.timeSpan.from ?? '—'} — ${form.timeSpan.to ?? '—'}` : undefined)}
              {row(v.t('app.processingRules'), form.processingRules)}
              {row(v.t('app.scenarios'), form.scenarios?.join('；'))}
              {row(v.t('app.industry'), form.industry ? `${form.industry} ${v.name('industry', form.industry.slice(0, 1))}` : undefined)}
              {row(v.t('app.manifestRoot'), form.manifest?.root ? <span class="mono">{form.manifest.root}</span> : undefined)}
              {row(v.t('app.contactName'), form.contact?.name)}
              {row(v.t('app.contactPhone'), form.contact?.phone)}
              {row(v.t('app.contactEmail'), form.contact?.email)}
            </table>
            <h3>{v.t('app.declarations')}</h3>
            <table>
              {row(v.t('app.lawfulCollection'), yes(form.legality?.lawfulCollection))}
              {row(v.t('app.containsPersonalInfo'), yes(form.legality?.containsPersonalInfo))}
              {row(v.t('app.containsStateSecrets'), yes(form.legality?.containsStateSecrets))}
              {row(v.t('app.protectionMeasures'), form.legality?.protectionMeasures)}
            </table>
            <h3>{v.t('app.sample')}</h3>
            {a.sample ? (
              <p>
                {a.sample.filename} · {a.sample.mediaType} · {a.sample.size} B · <span class="mono">SHA-256 {a.sample.sha256}</span> ·{' '}
                <a href={`/v1/applications/${a.id}/sample`} download={a.sample.filename}>
                  {v.t('app.sampleDownload')}
                </a>
              </p>
            ) : (
              <p>{v.t('app.noSample')}</p>
            )}
          </section>
          <section class="card" aria-labelledby="ev-h">
            <h2 id="ev-h">{v.t('app.evidence')}</h2>
            {deposit ? (
              <dl class="kv" data-deposit-id={deposit.id}>
                <dt>{v.t('common.id')}</dt>
                <dd>
                  <a href={`/verify/evidence/${deposit.id}`}>{deposit.id}</a>
                </dd>
                <dt>{v.t('verify.digest')}</dt>
                <dd class="mono">{deposit.digest}</dd>
                <dt>{v.t('verify.depositedAt')}</dt>
                <dd>
                  <Time v={v} at={deposit.depositedAt} />
                </dd>
                <dt>{v.t('verify.logPosition')}</dt>
                <dd>
                  <a href={`/log/entries/${deposit.logIndex}`}>#{deposit.logIndex}</a>
                </dd>
              </dl>
            ) : (
              <p>{v.t('app.depositNone')}</p>
            )}
          </section>
          {deposit ? <VerifyPanel v={v} bundleUrl={`/v1/evidence/${deposit.id}/receipt`} /> : null}
          <section class="card" aria-labelledby="obj-h" data-objections={a.objections.length}>
            <h2 id="obj-h">{v.t('app.objections')}</h2>
            {a.objections.length === 0 ? <p>{v.t('app.noObjections')}</p> : null}
            {a.objections.map((o) => (
              <article class="card" data-objection={o.id} data-objection-state={o.state}>
                <p class="row">
                  <State v={v} kind="objectionState" value={o.state} />
                  <span>{v.t('app.objectionBy', { name: o.name, contact: staff ? o.contact : '…', time: v.dt(o.filedAt) })}</span>
                  <a href={`/log/entries/${o.logIndex}`}>{v.t('common.logEntry', { index: o.logIndex })}</a>
                </p>
                <p class="pre-line">{o.grounds}</p>
                {o.evidenceHash ? <p class="mono">SHA-256 {o.evidenceHash}</p> : null}
                {p.role === 'reviewer' && o.state === 'open' && a.state === 'objection' && a.orgId !== p.orgId ? (
                  <p class="row">
                    <a class="button" href={`/objections/${o.id}/dismiss?application=${a.id}`} data-action="dismiss">
                      {v.name('action', 'dismiss_objection')}
                    </a>
                    <a class="button danger" href={`/objections/${o.id}/uphold?application=${a.id}`} data-action="uphold">
                      {v.name('action', 'uphold_objection')}
                    </a>
                  </p>
                ) : null}
              </article>
            ))}
          </section>
          <section class="card" aria-labelledby="hist-h">
            <h2 id="hist-h">{v.t('app.history')}</h2>
            <ol class="events" data-history="">
              {history.map((h) => (
                <li data-event={h.action}>
                  <div class="head">
                    <a href={`/log/entries/${h.logIndex}`}>#{h.logIndex}</a>
                    <strong>{v.name('action', h.action)}</strong>
                    <Time v={v} at={h.at} />
                    {h.actor ? (
                      <span class="muted">
                        {h.actor.name} ({v.name('role', h.actor.role)})
                      </span>
                    ) : null}
                  </div>
                  <div class="muted">
                    {v.name('applicationState', h.fromState)} → {v.name('applicationState', h.toState)}
                  </div>
                  {h.comment ? <p class="comment">{h.comment}</p> : null}
                </li>
              ))}
            </ol>
            {versions.length ? (
              <>
                <h3>{v.t('app.versions')}</h3>
                <ul>
                  {versions.map((x) => (
                    <li>
                      {v.t('app.version', { n: x.version, digest: x.digest.slice(0, 16) + '…' })} · <Time v={v} at={x.submittedAt} /> ·{' '}
                      <a href={`/log/entries/${x.logIndex}`}>#{x.logIndex}</a>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
        </Layout>,
      ),
    );
  });

  // ── decisions: a confirmation page (with the comment) and the decision itself ──
  const confirmPage = async (c: Context<AppEnv>, v: View, a: AppView, slug: ActionSlug, f: FormState, status = 200) => {
    const name = a.form.datasetName ?? v.t('app.untitled');
    const what = v.name('action', ACTIONS[slug]);
    return c.html(
      page(
        <Layout v={v} title={v.t('app.confirmTitle', { action: what })}>
          <h1>{v.t('app.confirmTitle', { action: what })}</h1>
          <p>{v.t('app.confirmText', { action: what, name })}</p>
          <ConfirmForm
            v={v}
            action={`/applications/${a.id}/${slug}`}
            submit={what}
            cancel={`/applications/${a.id}`}
            danger={slug === 'reject' || slug === 'withdraw'}
            hidden={{ version: String(a.rowVersion) }}
          >
            <ErrorSummary v={v} f={f} labels={{ comment: 'comment' }} />
            {needsComment(slug) ? (
              <Field v={v} f={f} name="comment" label={slug === 'reject' ? v.t('common.reason') : v.t('common.comment')} required textarea rows={5} maxlength={slug === 'reject' ? 2000 : 5000} />
            ) : null}
          </ConfirmForm>
        </Layout>,
      ),
      status as never,
    );
  };

  const SLUGS = 'claim|open-notice|request-changes|reject|approve|submit|withdraw';

  app.get(`/applications/:id/:action{${SLUGS}}`, async (c) => {
    const v = viewOf(c, ctx.settings);
    const slug = c.req.param('action') as ActionSlug;
    const p = signedIn(v, REVIEWER_ACTIONS.includes(slug) ? 'reviewer' : 'applicant');
    const a = await getApp(p, c.req.param('id'));
    return confirmPage(c, v, a, slug, emptyForm());
  });

  app.post(`/applications/:id/:action{${SLUGS}}`, async (c) => {
    const v = viewOf(c, ctx.settings);
    const slug = c.req.param('action') as ActionSlug;
    const p = signedIn(v, REVIEWER_ACTIONS.includes(slug) ? 'reviewer' : 'applicant');
    const id = c.req.param('id');
    if (!recordId.safeParse(id).success) throw new RegistryError('application_not_found', 'no such application');
    const body = await c.req.parseBody();
    // the row version the page showed (a stale one loses with 409, as If-Match does)
    const shown = Number(formText(body, 'version'));
    const version = Number.isSafeInteger(shown) && shown > 0 ? shown : undefined;
    const comment = formText(body, 'comment') ?? '';
    const values = { comment };
    if (needsComment(slug)) {
      const parsed = slug === 'reject' ? ReasonSchema.safeParse({ reason: comment }) : CommentSchema.safeParse({ comment });
      if (!parsed.success) {
        const a = await getApp(p, id);
        return confirmPage(c, v, a, slug, { values, errors: issueErrors(v, parsed.error.issues, { reason: 'comment' }), code: 'invalid_field' }, 422);
      }
    }
    try {
      switch (slug) {
        case 'claim':
          await apps.claim(p, id, version);
          break;
        case 'open-notice':
          await apps.openNotice(p, id, version);
          break;
        case 'request-changes':
          await apps.requestChanges(p, id, comment, version);
          break;
        case 'reject':
          await apps.reject(p, id, comment, version);
          break;
        case 'approve':
          await apps.approve(p, id, version);
          break;
        case 'submit':
          await apps.submit(p, id, version);
          break;
        case 'withdraw':
          await apps.withdraw(p, id, version);
          break;
      }
    } catch (err) {
      const r = refusalOf(v, err, values, { reason: 'comment' });
      if (r.status === 404) throw err;
      // an incomplete application goes back to its form, with the errors at the fields
      if (slug === 'submit' && (r.form.code === 'application_incomplete' || r.form.code === 'evidence_required' || r.form.code === 'invalid_field')) {
        const a = await getApp(p, id);
        return formPage(
          c,
          v,
          {
            f: { ...r.form, values: valuesOf(a.form), errors: Object.fromEntries(Object.entries(r.form.errors).map(([k, m]) => [ERROR_AT[k] ?? k, m])) },
            action: `/applications/${id}/edit`,
            title: v.t('app.editTitle'),
            version: a.rowVersion,
            sample: a.sample,
            deposit: await depositOf(p, a.form),
          },
          r.status,
        );
      }
      return confirmPage(c, v, await getApp(p, id), slug, r.form, r.status);
    }
    return c.redirect(`/applications/${id}?done=${slug}`, 303);
  });

  // ── objections: dismiss or uphold, with a reason ──
  const objectionConfirm = async (c: Context<AppEnv>, v: View, p: Principal, objectionId: string, decision: 'dismiss' | 'uphold', f: FormState, status = 200) => {
    const appId = c.req.query('application') ?? formText(await c.req.parseBody().catch(() => ({})), 'application');
    const a = appId && recordId.safeParse(appId).success ? await getApp(p, appId).catch(() => undefined) : undefined;
    const o = a?.objections.find((x) => x.id === objectionId);
    const key = decision === 'dismiss' ? 'dismiss_objection' : 'uphold_objection';
    const what = v.name('action', key);
    return c.html(
      page(
        <Layout v={v} title={v.t('app.confirmTitle', { action: what })}>
          <h1>{v.t('app.confirmTitle', { action: what })}</h1>
          {o && a ? (
            <div class="card">
              <p>{v.t('app.confirmText', { action: what, name: a.form.datasetName ?? '' })}</p>
              <p>{v.t('app.objectionBy', { name: o.name, contact: o.contact, time: v.dt(o.filedAt) })}</p>
              <p class="pre-line">{o.grounds}</p>
            </div>
          ) : null}
          <ConfirmForm
            v={v}
            action={`/objections/${objectionId}/${decision}`}
            submit={what}
            cancel={a ? `/applications/${a.id}` : '/dashboard'}
            danger={decision === 'uphold'}
            hidden={a ? { application: a.id, version: String(a.rowVersion) } : {}}
          >
            <ErrorSummary v={v} f={f} labels={{ reason: 'reason' }} />
            <Field v={v} f={f} name="reason" label={v.t('common.reason')} required textarea rows={4} maxlength={2000} />
          </ConfirmForm>
        </Layout>,
      ),
      status as never,
    );
  };

  app.get('/objections/:id/:decision{dismiss|uphold}', async (c) => {
    const v = viewOf(c, ctx.settings);
    const p = signedIn(v, 'reviewer');
    const id = c.req.param('id');
    if (!recordId.safeParse(id).success) throw new RegistryError('objection_not_found', 'no such objection');
    return objectionConfirm(c, v, p, id, c.req.param('decision') as 'dismiss' | 'uphold', emptyForm());
  });

  app.post('/objections/:id/:decision{dismiss|uphold}', async (c) => {
    const v = viewOf(c, ctx.settings);
    const p = signedIn(v, 'reviewer');
    const id = c.req.param('id');
    if (!recordId.safeParse(id).success) throw new RegistryError('objection_not_found', 'no such objection');
    const decision = c.req.param('decision') as 'dismiss' | 'uphold';
    const body = await c.req.parseBody();
    const reason = formText(body, 'reason') ?? '';
    const shown = Number(formText(body, 'version'));
    const version = Number.isSafeInteger(shown) && shown > 0 ? shown : undefined;
    const parsed = ReasonSchema.safeParse({ reason });
    if (!parsed.success) return objectionConfirm(c, v, p, id, decision, { values: { reason }, errors: issueErrors(v, parsed.error.issues), code: 'invalid_field' }, 422);
    try {
      const a = decision === 'dismiss' ? await apps.dismissObjection(p, id, reason, version) : await apps.upholdObjection(p, id, reason, version);
      return c.redirect(`/applications/${a.id}?done=${decision === 'dismiss' ? 'dismiss_objection' : 'uphold_objection'}`, 303);
    } catch (err) {
      const r = refusalOf(v, err, { reason });
      if (r.status === 404) throw err;
      return objectionConfirm(c, v, p, id, decision, r.form, r.status);
    }
  });

  // ── the review queue ──
  app.get('/queue', (c) => queuePage(c, ctx));
}

/** Local calendar day → the instant it starts (or ends) in the registry's zone. */
function dayBound(date: string, timeZone: string, end: boolean): Date {
  const offset = zoneOffset(timeZone, new Date(`${date}T12:00:00Z`));
  return new Date(`${date}T${end ? '23:59:59.999' : '00:00:00.000'}${offset}`);
}

const OPEN_STATES = ['submitted', 'in_review', 'objection', 'public_notice', 'changes_requested'] as const;

/** The reviewer's queue (also the reviewer's and admin's dashboard): filters, search, paging both ways. */
export async function queuePage(c: Context<AppEnv>, ctx: Ctx, heading?: string) {
  const v = viewOf(c, ctx.settings);
  const p = signedIn(v, 'reviewer', 'admin');
  const q = (k: string) => (c.req.query(k) ?? '').trim();
  const f: FormState = { values: { state: q('state') || 'open', from: q('from'), to: q('to'), holder: q('holder'), industry: q('industry'), q: q('q') }, errors: {} };
  const state = f.values.state!;
  const states = state === 'open' ? [...OPEN_STATES] : state === 'all' ? undefined : (APPLICATION_STATES as readonly string[]).includes(state) ? [state] : undefined;
  if (state !== 'open' && state !== 'all' && !states) f.errors.state = v.t('field.invalid');
  for (const k of ['from', 'to'] as const) if (f.values[k] && !isCalendarDate(f.values[k]!)) f.errors[k] = v.t('field.invalid');
  if (f.values.industry && !/^[A-T]\d{0,4}$/.test(f.values.industry)) f.errors.industry = v.t('field.invalid');
  const from = f.values.from && !f.errors.from ? dayBound(f.values.from, ctx.settings.timeZone, false) : undefined;
  const to = f.values.to && !f.errors.to ? dayBound(f.values.to, ctx.settings.timeZone, true) : undefined;
  const industry = f.errors.industry ? '' : f.values.industry!;
  const needle = f.values.q!.toLowerCase();
  const cursor = c.req.query('cursor') || undefined;
  const trail = parseTrail(c.req.query('trail'));
  const list = await scanPage(
    (cur, limit) => ctx.registry.applications.list(p, { state: states as never, from, to, holder: f.values.holder || undefined, cursor: cur, limit }),
    {
      cursor,
      want: 25,
      match:
        industry || needle
          ? (a) =>
              (!industry || (a.form.industry ?? '').startsWith(industry)) &&
              (!needle || `${a.form.datasetName ?? ''} ${a.form.holder?.name ?? ''} ${a.id}`.toLowerCase().includes(needle))
          : undefined,
      keyOf: (a) => ({ at: new Date(a.updatedAt), id: a.id }),
    },
  );
  const now = ctx.clock.now();
  const title = heading ?? v.t('queue.title');
  return c.html(
    page(
      <Layout v={v} title={title}>
        <h1>{title}</h1>
        {p.role === 'admin' ? (
          <p class="row">
            <a href="/admin/organisations">{v.t('admin.orgs')}</a>
            <a href="/admin/users">{v.t('admin.users')}</a>
            <a href="/admin/tokens">{v.t('admin.tokens')}</a>
            <a href="/admin/keys">{v.t('admin.keys')}</a>
          </p>
        ) : null}
        <form method="get" action="/queue" class="card filters" role="search" novalidate>
          <SelectField
            v={v}
            f={f}
            name="state"
            label={v.t('queue.state')}
            required
            options={[{ value: 'open', label: v.t('queue.active') }, { value: 'all', label: v.t('common.all') }, ...APPLICATION_STATES.filter((s) => s !== 'draft').map((s) => ({ value: s, label: v.name('applicationState', s) }))]}
          />
          <Field v={v} f={f} name="from" type="date" label={v.t('queue.from')} bare />
          <Field v={v} f={f} name="to" type="date" label={v.t('queue.to')} bare />
          <Field v={v} f={f} name="holder" label={v.t('queue.holder')} bare />
          <Field v={v} f={f} name="industry" label={v.t('queue.industry')} list="industries" bare />
          <Field v={v} f={f} name="q" type="search" label={v.t('queue.q')} bare />
          <datalist id="industries">
            {Object.entries(NAMES.industry).map(([code, n]) => (
              <option value={code}>{`${code} ${n[v.lang]}`}</option>
            ))}
          </datalist>
          <div class="row">
            <button type="submit">{v.t('common.filter')}</button>
            <a href="/queue">{v.t('common.reset')}</a>
          </div>
        </form>
        {list.items.length === 0 ? <p>{v.t('queue.empty')}</p> : null}
        <TableWrap label={title}>
          <table class="card" data-queue="">
            <tr>
              <th scope="col">{v.t('common.dataset')}</th>
              <th scope="col">{v.t('common.holder')}</th>
              <th scope="col">{v.t('app.kind')}</th>
              <th scope="col">{v.t('common.state')}</th>
              <th scope="col">{v.t('queue.industry')}</th>
              <th scope="col">{v.t('common.updated')}</th>
              <th scope="col">{v.t('common.actions')}</th>
            </tr>
            {list.items.map((a) => (
              <tr data-application={a.id}>
                <td>
                  <a href={`/applications/${a.id}`}>{a.form.datasetName ?? v.t('app.untitled')}</a>
                </td>
                <td>{a.form.holder?.name}</td>
                <td>{v.name('applicationKind', a.kind)}</td>
                <td>
                  <State v={v} kind="applicationState" value={a.state} />
                </td>
                <td>{a.form.industry ?? '—'}</td>
                <td>
                  <Time v={v} at={a.updatedAt} />
                </td>
                <td>
                  {reviewerActions(a, p, now).map((slug) => (
                    <a class="action" href={`/applications/${a.id}/${slug}`}>
                      {v.name('action', ACTIONS[slug])}
                    </a>
                  ))}
                </td>
              </tr>
            ))}
          </table>
        </TableWrap>
        <Pager v={v} cursor={cursor} trail={trail} next={list.nextCursor} />
        <p class="muted">
          <a href={withQuery(v.here, { cursor: undefined, trail: undefined })}>{v.t('common.first')}</a>
        </p>
      </Layout>,
    ),
  );
}
