/**
 * The "independent witnesses and notaries" section of the verification pages (issue 17):
 * the witnesses that cosigned the checkpoint a bundle of the record carries, the trusted
 * time-stamp over it, and the notarial attestations of the data's fingerprint.
 */
import type { FC } from 'hono/jsx';
import type { Attesters } from '../attesters.ts';
import { Time } from './layout.tsx';
import type { View } from './view.ts';

export const TrustSection: FC<{ v: View; a: Attesters; policy: boolean }> = ({ v, a, policy }) => (
  <section class="card" aria-labelledby="trust-h" data-attesters="">
    <h2 id="trust-h">{v.t('trust.heading')}</h2>
    <p class="muted">{v.t('trust.intro')}</p>
    <dl class="kv">
      <dt>{v.t('trust.witnesses', { size: a.checkpointSize })}</dt>
      <dd data-witnesses={a.witnesses.length}>
        {!policy ? v.t('trust.noPolicy') : a.witnesses.length === 0 ? v.t('trust.noWitnesses') : null}
        {a.witnesses.length ? (
          <ul class="flush">
            {a.witnesses.map((w) => (
              <li data-witness={w.name}>
                {w.name} (<span class="mono">{w.keyName}</span>), <Time v={v} at={w.time} />
              </li>
            ))}
          </ul>
        ) : null}
        {policy ? (
          <p class="flush">
            <a href="/v1/trust-policy">{v.t('trust.policyLink')}</a>
          </p>
        ) : null}
      </dd>
      <dt>{v.t('trust.tsa')}</dt>
      <dd data-tsa={a.tsa ? a.tsa.time.toISOString() : ''}>{a.tsa ? v.t('trust.tsaText', { time: v.dt(a.tsa.time), name: a.tsa.name }) : v.t('trust.noTsa')}</dd>
      <dt>{v.t('trust.notaries')}</dt>
      <dd data-notaries={a.notaries.length}>
        {a.notaries.length === 0 ? v.t('trust.noNotaries') : null}
        {a.notaries.length ? (
          <ul class="flush">
            {a.notaries.map((n) => (
              <li data-notary={n.notarialNumber}>
                {v.t('trust.notary', { office: n.office, number: n.notarialNumber, time: v.dt(n.attestedAt) })} ·{' '}
                <span class={n.verified ? 'ok' : 'bad'}>{n.verified ? `✔ ${v.t('trust.signatureOk')}` : `✘ ${v.t('trust.signatureBad')}`}</span> ·{' '}
                <a href={`/log/entries/${n.logIndex}`}>{v.t('common.logEntry', { index: n.logIndex })}</a>
              </li>
            ))}
          </ul>
        ) : null}
      </dd>
    </dl>
  </section>
);
