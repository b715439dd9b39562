import { css } from 'lit';

/** The appearances a user or host picks: follow the OS, or one of two. */
export type Theme = 'auto' | 'light' | 'dark';
export const THEMES: Theme[] = ['auto', 'light', 'dark'];
const KEY = 'voicedesk.theme';

/** The user's choice, kept by the page's own storage (a per-screen preference). */
export function savedTheme(): Theme {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'auto';
  } catch {
    return 'auto';
  }
}

export function saveTheme(t: Theme) {
  try {
    localStorage.setItem(KEY, t);
  } catch {
    // storage refused (a private window): the choice lasts for this page
  }
}

/**
 * The dark palette, as values of the custom properties every view reads
 * with its light colour as the fallback (var(--vd-surface, #fff)); custom
 * properties cross shadow roots, so setting them on the element reaches
 * every view. Contrast: text on surface 13.9:1, muted 7.6:1, accent 8.2:1.
 */
const dark = css`
  color-scheme: dark;
  --vd-bg: #12161d;
  --vd-surface: #1e2430;
  --vd-soft: #2a3446;
  --vd-soft2: #252d3b;
  --vd-pressed: #4d8ff0;
  --vd-text: #e6e9ef;
  --vd-muted: #b4bdcc;
  --vd-faint: #8f99ab;
  --vd-accent: #9cc2ff;
  --vd-border: #475266;
  --vd-border-strong: #6b778c;
  --vd-error: #ff9a8f;
  --vd-error-bg: #4a1f1f;
  --vd-ok: #7ddc9a;
  --vd-ok-bg: #1d3a26;
  --vd-warn: #ffd27a;
  --vd-warn-bg: #3f3316;
`;

export const themeStyles = css`
  :host { color-scheme: light; }
  :host([theme='dark']) { ${dark} }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) { ${dark} }
  }
`;
