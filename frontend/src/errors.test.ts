import { describe, expect, it } from 'vitest';
import { loginErrorKey } from './errors';
import { resources } from './i18n';

describe('login errors by code', () => {
  const rows: [string, string | undefined, string][] = [
    ['a wrong password has its sentence', 'login-bad-credentials', 'errors.badCredentials'],
    ['a captive portal or broken answer is told as such', 'login-bad-answer', 'errors.badAnswer'],
    ['a timeout is told as such', 'login-timeout', 'errors.timeout'],
    ['an unknown code falls back to the generic sentence', 'login-something-new', 'errors.generic'],
    ['no code at all: the generic sentence', undefined, 'errors.generic'],
  ];
  for (const [rule, code, key] of rows) {
    it(rule, () => {
      const err = Object.assign(new Error('Login failed: x'), { code });
      expect(loginErrorKey(err)).toEqual({ key, message: 'Login failed: x' });
    });
  }
  it('every mapped key is translated in every language', () => {
    for (const code of ['login-bad-answer', 'login-timeout', 'login-unreachable']) {
      const { key } = loginErrorKey(Object.assign(new Error(''), { code }));
      const [group, name] = key.split('.');
      for (const lang of Object.keys(resources) as (keyof typeof resources)[]) {
        const table = (resources[lang] as unknown as Record<string, Record<string, unknown>>)[group];
        expect(table?.[name], `${lang} ${key}`).toBeTruthy();
      }
    }
  });
});
