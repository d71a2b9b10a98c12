/**
 * Form pieces shared by the pages: a form's values and per-field errors, fields whose
 * labels are bound to their controls (for/id) and whose error is shown beside them
 * (aria-invalid, aria-describedby), an error summary linking to the fields, confirmation
 * forms, and pagers. Errors come from the same zod schemas the API validates with.
 */
import type { Context } from 'hono';
import type { FC, PropsWithChildren } from 'hono/jsx';
import type { AppEnv } from '../auth.ts';
import { DataDeedError, type FieldIssue } from '../../errors.ts';
import { errorText, fieldMessage, NAMES } from './i18n.ts';
import { statusOf } from '../problem.ts';
import type { View } from './view.ts';

/** What a form shows again after a refusal: the values sent, and a message per field path. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** The stable code of the refusal (shown in the summary), e.g. `invalid_field`. */
  code?: string;
  /** A refusal not tied to one field. */
  message?: string;
}

export const emptyForm = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });

/** A zod issue as the pages read it. */
interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
  code?: string;
  input?: unknown;
}

/** Per-path messages (the first per path) from a failed zod parse, in the page's language. */
export function issueErrors(v: View, issues: readonly IssueLike[], rename: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const path = i.path.map(String).join('.');
    const key = rename[path] ?? path;
    out[key] ??= fieldMessage(v.lang, i);
  }
  return out;
}

/** Per-path messages from a domain error's details (`invalid_field`, `application_incomplete` …). */
export function detailErrors(v: View, details: readonly FieldIssue[] | undefined, rename: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of details ?? []) {
    const key = rename[d.path] ?? d.path;
    out[key] ??= fieldMessage(v.lang, { message: d.message });
  }
  return out;
}

/** The details of a domain error, if it has field details. */
export function errorDetails(err: unknown): readonly FieldIssue[] | undefined {
  return err instanceof DataDeedError ? err.details : undefined;
}

/** A form field's text (a file part or a missing field: undefined). */
export function formText(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

/** The control id of a field named `name`. */
export const fieldId = (name: string) => 'f-' + name.replace(/[^A-Za-z0-9_-]/g, '-');

interface FieldProps {
  v: View;
  f: FormState;
  name: string;
  label: string;
  /** The schema path whose error this field shows (default: `name`). */
  path?: string;
  type?: string;
  required?: boolean;
  hint?: string;
  textarea?: boolean;
  rows?: number;
  readonly?: boolean;
  placeholder?: string;
  /** The value when the form has none (a default). */
  value?: string;
  autocomplete?: string;
  inputmode?: 'numeric' | 'decimal' | 'email' | 'tel' | 'text';
  list?: string;
  maxlength?: number;
  /** Extra data- attributes for scripts. */
  data?: Record<string, string>;
  /** No "(optional)" mark (filters, where every field is). */
  bare?: boolean;
}

function describedBy(id: string, hint: boolean, err: boolean): string | undefined {
  const ids = [hint ? `${id}-hint` : '', err ? `${id}-err` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

const Label: FC<{ v: View; id: string; label: string; required?: boolean; bare?: boolean }> = ({ v, id, label, required, bare }) => (
  <label for={id}>
    {label}
    {required || bare ? null : <span class="muted"> {v.t('common.optional')}</span>}
  </label>
);

const Messages: FC<{ id: string; hint?: string; error?: string }> = ({ id, hint, error }) => (
  <>
    {hint ? (
      <p class="hint" id={`${id}-hint`}>
        {hint}
      </p>
    ) : null}
    {error ? (
      <p class="field-error" id={`${id}-err`} data-error-for={id}>
        {error}
      </p>
    ) : null}
  </>
);

function dataAttrs(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([k, val]) => [`data-${k}`, val]));
}

/** A labelled text input or textarea with its hint and error. */
export const Field: FC<FieldProps> = (p) => {
  const id = fieldId(p.name);
  const error = p.f.errors[p.path ?? p.name];
  const value = p.f.values[p.name] ?? p.value ?? '';
  const common = {
    id,
    name: p.name,
    required: p.required,
    readonly: p.readonly,
    placeholder: p.placeholder,
    autocomplete: p.autocomplete,
    maxlength: p.maxlength,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': describedBy(id, !!p.hint, !!error),
    ...dataAttrs(p.data),
  };
  return (
    <div class="field">
      <Label v={p.v} id={id} label={p.label} required={p.required} bare={p.bare} />
      {p.textarea ? (
        <textarea {...common} rows={p.rows ?? 3}>
          {value}
        </textarea>
      ) : (
        <input {...common} type={p.type ?? 'text'} value={value} inputmode={p.inputmode} list={p.list} />
      )}
      <Messages id={id} hint={p.hint} error={error} />
    </div>
  );
};

/** A labelled select. */
export const SelectField: FC<Omit<FieldProps, 'textarea' | 'rows' | 'type'> & { options: { value: string; label: string }[]; blank?: string }> = (p) => {
  const id = fieldId(p.name);
  const error = p.f.errors[p.path ?? p.name];
  const value = p.f.values[p.name] ?? p.value ?? '';
  return (
    <div class="field">
      <Label v={p.v} id={id} label={p.label} required={p.required} bare={p.bare} />
      <select id={id} name={p.name} required={p.required} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(id, !!p.hint, !!error)}>
        {p.blank !== undefined ? <option value="">{p.blank}</option> : null}
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
      </select>
      <Messages id={id} hint={p.hint} error={error} />
    </div>
  );
};

/** A checkbox with its label after it. `checked` when the form has `value`. */
export const CheckField: FC<{ v: View; f: FormState; name: string; label: string; path?: string; checked?: boolean; required?: boolean; hint?: string }> = (p) => {
  const id = fieldId(p.name);
  const error = p.f.errors[p.path ?? p.name];
  const sent = p.f.values[p.name];
  const checked = sent !== undefined ? sent === 'on' || sent === 'true' || sent === 'yes' : !!p.checked;
  return (
    <div class="field">
      <label class="check" for={id}>
        <input
          type="checkbox"
          id={id}
          name={p.name}
          value="yes"
          checked={checked}
          required={p.required}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy(id, !!p.hint, !!error)}
        />
        <span>{p.label}</span>
      </label>
      <Messages id={id} hint={p.hint} error={error} />
    </div>
  );
};

/**
 * The refusal at the top of a form: its code and message, and each field's error linking
 * to the field (errors whose path has no field of their own appear here only).
 */
export const ErrorSummary: FC<{ v: View; f: FormState; labels?: Record<string, string> }> = ({ v, f, labels = {} }) => {
  const entries = Object.entries(f.errors);
  if (!entries.length && !f.message) return null;
  return (
    <div class="err" role="alert" id="form-errors" data-code={f.code ?? 'invalid_field'}>
      <p class="flush">
        {f.message ?? v.t('common.fixFields')} <code>{f.code ?? 'invalid_field'}</code>
      </p>
      {entries.length ? (
        <ul>
          {entries.map(([path, msg]) => (
            <li>
              {labels[path] ? <a href={`#${fieldId(labels[path]!)}`}>{path}</a> : <code>{path}</code>}: {msg}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
};

/** A form that confirms one action: a summary, optional comment, and the confirm button. */
export const ConfirmForm: FC<PropsWithChildren<{ v: View; action: string; submit: string; cancel: string; danger?: boolean; hidden?: Record<string, string> }>> = ({
  v,
  action,
  submit,
  cancel,
  danger,
  hidden = {},
  children,
}) => (
  <form method="post" action={action} class="card" data-confirm-form="" novalidate>
    {Object.entries(hidden).map(([k, val]) => (
      <input type="hidden" name={k} value={val} />
    ))}
    <input type="hidden" name="confirm" value="yes" />
    {children}
    <p class="row">
      <button type="submit" class={danger ? 'danger' : ''} data-confirm="">
        {submit}
      </button>
      <a href={cancel}>{v.t('common.cancel')}</a>
    </p>
  </form>
);

/** A message after a redirect (`?done=`), naming the log entry written. */
export const Flash: FC<{ text?: string }> = ({ text }) =>
  text ? (
    <p class="flash" role="status" data-flash="">
      {text}
    </p>
  ) : null;

/** A table in a horizontally scrolling region (never widens the page). */
export const TableWrap: FC<PropsWithChildren<{ label: string }>> = ({ label, children }) => (
  <div class="table-wrap" role="region" aria-label={label} tabindex={0}>
    {children}
  </div>
);

/**
 * A domain refusal as a form shows it: the status to answer with, its code, a sentence and
 * the per-field errors of its details. Anything else (not a DataDeedError, or a server-side
 * fault) is rethrown for the error boundary.
 */
export function refusalOf(v: View, err: unknown, values: Record<string, string>, rename: Record<string, string> = {}): { status: number; form: FormState } {
  if (!(err instanceof DataDeedError)) throw err;
  const status = statusOf(err.code);
  if (status >= 500) throw err;
  return {
    status,
    form: { values, errors: detailErrors(v, err.details, rename), code: err.code, message: errorText(v.lang, err.code) ?? err.message },
  };
}

/** The message after a redirect: `?done=<action>` (and the log entry it wrote, `&entry=`). */
export function doneText(v: View, c: Context<AppEnv>): string | undefined {
  const done = c.req.query('done');
  const entry = c.req.query('entry');
  if (!done) return undefined;
  if (done === 'requested') return v.t('pledge.requested');
  const what = done in NAMES.action ? v.name('action', done) : done === 'policy' ? v.t('policy.record') : undefined;
  if (!what) return undefined;
  return entry && /^\d{1,15}$/.test(entry) ? v.t('common.done', { what, index: entry }) : v.t('common.doneNoEntry', { what });
}


/** The log entry an action just wrote (`&entry=` after a redirect), linked to its page. */
export const WrittenEntry: FC<{ v: View; entry: string | undefined }> = ({ v, entry }) =>
  entry && /^\d{1,15}$/.test(entry) ? (
    <p>
      <a href={`/log/entries/${entry}`} data-written-entry={entry}>
        {v.t('common.logEntry', { index: entry })}
      </a>
    </p>
  ) : null;
