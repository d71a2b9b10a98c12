/**
 * Browser defences on every response (issue 15, finding 9b): a Content-Security-Policy
 * without 'unsafe-inline' (scripts and styles come from our own files; 'wasm-unsafe-eval'
 * lets the fingerprint worker compile its WebAssembly SHA-256), no framing, nosniff, and a
 * referrer policy. `same-origin` rather than `no-referrer`: with `no-referrer` a browser
 * sends `Origin: null` on a form post, which the CSRF check in auth.ts would refuse.
 */
import { secureHeaders } from 'hono/secure-headers';

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
  workerSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const securityHeaders = () =>
  secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    xFrameOptions: 'DENY',
    xContentTypeOptions: 'nosniff',
    referrerPolicy: 'same-origin',
    // the API and tiles are read by other origins' verifiers: keep them fetchable
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: 'same-origin',
    strictTransportSecurity: false,
  });
