/**
 * The boundary's first text check, before any route: every string from outside — the
 * decoded path, query keys and values, the keys and strings of a JSON body, the
 * fields of a form body — must be well-formed text (src/text.ts: no NUL, no unpaired
 * surrogate), which no field accepts and PostgreSQL cannot store. A request that
 * carries one is refused with a 400 `invalid_request` problem naming where, so such
 * text never reaches a query however a route or page validates its fields (each
 * field's own rule then comes from the registry's schemas).
 *
 * Raw uploads (PUT, e.g. a data sample) are bytes, not text, and are not read here.
 * A JSON body that does not parse is left to the route's validator (`malformed_json`);
 * a form body has been parsed before this runs (a broken one is `malformed_form`).
 */
import type { MiddlewareHandler } from 'hono';
import { malformedTextProblem } from '../text.ts';
import { ApiError } from './errors.ts';

type FieldError = { path: string; message: string };

const MAX_REPORTED = 20;

/** Each string in a JSON value, with its dotted path (keys checked too); iterative, so depth cannot overflow the stack. */
function checkJson(root: unknown, report: (path: string, text: string) => void): void {
  const stack: [string, unknown][] = [['', root]];
  while (stack.length) {
    const [path, value] = stack.pop()!;
    if (typeof value === 'string') report(path, value);
    else if (Array.isArray(value)) value.forEach((v, i) => stack.push([path ? `${path}.${i}` : String(i), v]));
    else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) {
        report(path ? `${path}.${k}` : k, k);
        stack.push([path ? `${path}.${k}` : k, v]);
      }
  }
}

/** Middleware: refuse a request whose text from outside holds a NUL or an unpaired surrogate. */
export function refuseMalformedText(): MiddlewareHandler {
  return async (c, next) => {
    const errors: FieldError[] = [];
    const report = (path: string, text: string) => {
      const problem = malformedTextProblem(text);
      if (problem !== undefined && errors.length < MAX_REPORTED) errors.push({ path, message: problem });
    };
    report('(path)', c.req.path);
    for (const [key, values] of Object.entries(c.req.queries())) {
      report(key, key);
      for (const v of values) report(key, v);
    }
    if (c.req.method === 'POST' || c.req.method === 'PATCH' || c.req.method === 'DELETE') {
      const type = c.req.header('content-type') ?? '';
      const media = type.split(';')[0]!.trim().toLowerCase();
      if (media === 'application/json' || media.endsWith('+json')) {
        let body: unknown;
        let parsed = true;
        try {
          body = JSON.parse(await c.req.text());
        } catch {
          parsed = false;
        }
        if (parsed) checkJson(body, report);
      } else if ((media === 'application/x-www-form-urlencoded' || media === 'multipart/form-data') && !c.req.path.startsWith('/v1/')) {
        // a page's form (the API takes JSON only: its validators refuse a form with 415 unread)
        let form: Record<string, unknown>;
        try {
          form = await c.req.parseBody({ all: true });
        } catch (err) {
          throw new ApiError('malformed_form', 'The request body is not a valid form.', undefined, { cause: err });
        }
        for (const [key, value] of Object.entries(form)) {
          report(key, key);
          for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') report(key, v);
        }
      }
    }
    if (errors.length) throw new ApiError('invalid_request', 'Text must not contain NUL or unpaired surrogates.', errors);
    await next();
  };
}
