import i18next, { type i18n as I18n } from 'i18next';
// The strings, one JSON file per language: the window reads them here and
// the Go side (the tray, the notifications) embeds the same files, so a
// word is written once. Every language has exactly the English keys
// (i18n.test.ts).
import en from './en.json';
import es from './es.json';
import fi from './fi.json';
import nl from './nl.json';
import sv from './sv.json';

/** The reference's phone languages, with their names in their own language. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
  { code: 'fi', name: 'Suomi' },
  { code: 'sv', name: 'Svenska' },
  { code: 'nl', name: 'Nederlands' },
] as const;

export type LanguageCode = (typeof LANGUAGES)[number]['code'];

export const resources = { en, es, fi, sv, nl };

export function isLanguage(code: string): code is LanguageCode {
  return LANGUAGES.some((l) => l.code === code);
}

/** A private i18next instance, so an embedding page's own i18next is untouched. */
export const i18n: I18n = i18next.createInstance();

export const i18nReady = i18n.init({
  lng: 'en',
  fallbackLng: 'en',
  resources: Object.fromEntries(Object.entries(resources).map(([k, v]) => [k, { translation: v }])),
  // Lit escapes what it renders; i18next must not escape a second time.
  interpolation: { escapeValue: false },
  initAsync: false,
});

export const t = (key: string, opts: Record<string, unknown> = {}): string => i18n.t(key, opts) as string;
