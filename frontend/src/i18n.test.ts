import { describe, expect, it } from 'vitest';
import { LANGUAGES, resources, i18n } from './i18n';

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

function leaves(obj: object): string[] {
  return Object.values(obj).flatMap((v) => (typeof v === 'object' && v !== null ? leaves(v) : [v as string]));
}

describe('translations', () => {
  const english = keys(resources.en).sort();

  it('covers exactly the reference languages', () => {
    expect(LANGUAGES.map((l) => l.code).sort()).toEqual(['en', 'es', 'fi', 'nl', 'sv']);
    expect(Object.keys(resources).sort()).toEqual(['en', 'es', 'fi', 'nl', 'sv']);
  });

  for (const { code } of LANGUAGES) {
    it(`${code} has every English key and no other`, () => {
      expect(keys(resources[code]).sort()).toEqual(english);
    });
    it(`${code} has no empty string`, () => {
      for (const s of leaves(resources[code])) expect(s.trim()).not.toBe('');
    });
  }

  it('translates at run time', async () => {
    await i18n.changeLanguage('fi');
    expect(i18n.t('login.title')).toBe('Kirjaudu sisään');
    await i18n.changeLanguage('nl');
    expect(i18n.t('home.signedInAs', { name: 'Ada' })).toBe('Ingelogd als Ada');
    await i18n.changeLanguage('en');
  });
});
