/**
 * The pages' languages and times: the language a request gets (?lang=, cookie,
 * Accept-Language), the catalogue in both languages, instants shown in the registry's
 * time zone (known answers by UTC+8 / UTC+2 arithmetic), and the authority and zone
 * configuration.
 */
import { describe, expect, it } from 'vitest';
import { chooseLang, fieldMessage, formatDate, formatDateTime, fromAcceptLanguage, NAMES, t } from '../../src/api/pages/i18n.ts';
import { localTime } from '../../src/time.ts';
import { DEFAULT_AUTHORITY, loadConfig } from '../../src/config.ts';
import { APPLICATION_STATES, CERTIFICATE_STATUSES, COVERAGE_TYPES, UPDATE_FREQUENCIES } from '../../src/registry/index.ts';

describe('language', () => {
  it('prefers ?lang=, then the cookie, then Accept-Language, and Chinese by default', () => {
    expect(chooseLang('en', 'zh', 'zh-CN')).toEqual({ lang: 'en', remember: true });
    expect(chooseLang(undefined, 'en', 'zh-CN')).toEqual({ lang: 'en', remember: false });
    expect(chooseLang('fr', undefined, 'en-US,en;q=0.9')).toEqual({ lang: 'en', remember: false });
    expect(chooseLang(undefined, undefined, undefined)).toEqual({ lang: 'zh', remember: false });
    expect(fromAcceptLanguage('de-DE,de;q=0.9,en;q=0.8,zh;q=0.7')).toBe('en');
    expect(fromAcceptLanguage('en;q=0.5,zh-TW;q=0.8')).toBe('zh');
    expect(fromAcceptLanguage('fr')).toBe('zh');
    expect(fromAcceptLanguage('en;q=0,zh;q=0.1')).toBe('zh');
  });

  it('names every state, status and option in both languages', () => {
    for (const [kind, values] of [
      ['applicationState', APPLICATION_STATES],
      ['certificateStatus', CERTIFICATE_STATUSES],
      ['coverage', COVERAGE_TYPES],
      ['updateFrequency', UPDATE_FREQUENCIES],
    ] as const)
      for (const value of values) {
        const n = (NAMES[kind] as Record<string, { zh: string; en: string }>)[value];
        expect(n?.zh, `${kind} ${value}`).toMatch(/\p{Script=Han}/u);
        expect(n?.en, `${kind} ${value}`).toMatch(/^[\x20-\x7e]+$/);
      }
    expect(t('zh', 'common.done', { what: '核准', index: 7 })).toBe('已完成：核准，写入日志条目 #7。');
    expect(t('en', 'common.done', { what: 'approve', index: 7 })).toBe('Done: approve, written as log entry #7.');
  });

  it('words field errors in the page language', () => {
    expect(fieldMessage('zh', { code: 'invalid_type', message: 'Invalid input: expected string, received undefined' })).toBe('必填');
    expect(fieldMessage('en', { code: 'invalid_type', message: 'Invalid input: expected string, received undefined' })).toBe('Required');
    expect(fieldMessage('zh', { message: 'must have at most 200 characters' })).toBe('至多 200 个字符');
    expect(fieldMessage('zh', { message: '统一社会信用代码 invalid: 统一社会信用代码 check character (position 18) does not match' })).toBe(
      '统一社会信用代码校验位（第 18 位）不正确',
    );
  });
});

describe('time zone', () => {
  it('shows instants in the registry zone', () => {
    // 22:48 UTC on 30 Nov is 06:48 on 1 Dec at UTC+8
    expect(localTime(new Date('2025-11-30T22:48:00Z'))).toEqual({ date: '2025-12-01', time: '06:48', offset: '+08:00' });
    expect(formatDateTime('2025-11-30T22:48:00Z', 'Asia/Shanghai')).toBe('2025-12-01 06:48');
    expect(formatDate('2025-11-30T22:48:00Z', 'Asia/Shanghai')).toBe('2025-12-01');
    expect(formatDate('2025-11-30T22:48:00Z', 'UTC')).toBe('2025-11-30');
    // summer time in Berlin is UTC+2
    expect(localTime(new Date('2025-07-01T12:00:00Z'), 'Europe/Berlin')).toEqual({ date: '2025-07-01', time: '14:00', offset: '+02:00' });
  });

  it('takes the zone and the authority from the configuration', () => {
    const d = loadConfig({});
    expect(d.timeZone).toBe('Asia/Shanghai');
    expect(d.authority).toEqual({ ...DEFAULT_AUTHORITY, seal: `${DEFAULT_AUTHORITY.zh}登记专用章` });
    expect(d.authority.zh).not.toMatch(/DataDeed/);
    const c = loadConfig({ DATADEED_TIMEZONE: 'Europe/Berlin', DATADEED_AUTHORITY_NAME: '天津市知识产权局', DATADEED_AUTHORITY_NAME_EN: 'Tianjin IP Office' });
    expect(c.timeZone).toBe('Europe/Berlin');
    expect(c.authority).toEqual({ zh: '天津市知识产权局', en: 'Tianjin IP Office', seal: '天津市知识产权局登记专用章' });
    expect(() => loadConfig({ DATADEED_TIMEZONE: 'Mars/Olympus' })).toThrow(/DATADEED_TIMEZONE/);
    expect(() => loadConfig({ DATADEED_AUTHORITY_NAME: ' padded ' })).toThrow(/DATADEED_AUTHORITY_NAME/);
  });
});
