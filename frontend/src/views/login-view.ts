import { LitElement, css, html } from 'lit';
import { LANGUAGES, t } from '../i18n';

export type AuthType = 'loginForm' | 'JWT';

/**
 * The sign-in screen: username + password, SSO, and the language picker.
 * It only collects input and raises events; the element decides.
 */
export class LoginView extends LitElement {
  static properties = {
    language: { type: String },
    authType: { type: String },
    busy: { type: Boolean },
    /** An SSO login waits for the user in the system browser. */
    ssoWaiting: { type: Boolean },
    error: { type: String },
    /** A kiosk station keeps every login: no "remember me" to choose. */
    kiosk: { type: Boolean },
    username: { state: true },
    password: { state: true },
    remember: { state: true },
    localError: { state: true },
  };

  declare language: string;
  declare authType: AuthType;
  declare busy: boolean;
  declare ssoWaiting: boolean;
  declare error: string;
  declare kiosk: boolean;
  declare username: string;
  declare password: string;
  declare remember: boolean;
  declare localError: string;

  constructor() {
    super();
    this.language = 'en';
    this.authType = 'loginForm';
    this.busy = false;
    this.ssoWaiting = false;
    this.error = '';
    this.kiosk = false;
    this.username = '';
    this.password = '';
    this.remember = false;
    this.localError = '';
  }

  static styles = css`
    label.remember { display: flex; gap: 8px; align-items: center; margin: 10px 0 0; font-weight: 400; }
    label.remember input { width: auto; margin: 0; }
    .kiosk-note { font-size: 13px; color: var(--vd-muted, #4a5566); margin: 10px 0 0; }
    :host { display: block; font-family: system-ui, 'Segoe UI', Roboto, sans-serif; color: var(--vd-text, #1c2430); }
    .brand { text-align: center; margin: 28px 0 20px; }
    .logo { width: 56px; height: 56px; border-radius: 16px; background: #1f5fbf; display: inline-grid; place-items: center; }
    .logo svg { width: 30px; height: 30px; fill: #fff; }
    h1 { font-size: 24px; margin: 10px 0 2px; }
    .tagline { color: var(--vd-muted, #4a5566); font-size: 13px; margin: 0; }
    form, .welcome { background: var(--vd-surface, #fff); border-radius: 12px; padding: 20px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
    h2 { font-size: 17px; margin: 0 0 14px; }
    label { display: block; font-size: 13px; font-weight: 600; margin: 12px 0 4px; }
    input, select { box-sizing: border-box; width: 100%; font: inherit; padding: 9px 10px; border: 1px solid var(--vd-border-strong, #8a94a6); border-radius: 8px; background: var(--vd-surface, #fff); color: inherit; }
    input:focus-visible, select:focus-visible, button:focus-visible { outline: 3px solid #f5a623; outline-offset: 1px; }
    button { width: 100%; font: inherit; font-weight: 600; padding: 10px; border-radius: 8px; border: 0; cursor: pointer; margin-top: 16px; }
    button.primary { background: #1f5fbf; color: #fff; }
    button.secondary { background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); margin-top: 0; }
    button[disabled] { opacity: .6; cursor: default; }
    .or { text-align: center; color: var(--vd-muted, #4a5566); font-size: 13px; margin: 12px 0; }
    .error { color: var(--vd-error, #a4161a); background: var(--vd-error-bg, #fdecec); border-radius: 8px; padding: 8px 10px; font-size: 13px; margin-top: 12px; }
    .lang { margin-top: 18px; }
    .waiting { margin-top: 12px; padding: 10px; border-radius: 8px; background: var(--vd-soft2, #eef4ff); color: var(--vd-accent, #133d7a); font-size: 13px; }
    .waiting button { margin-top: 8px; }
  `;

  private submit(e: Event) {
    e.preventDefault();
    if (!this.username.trim()) return void (this.localError = t('errors.usernameRequired'));
    if (!this.password) return void (this.localError = t('errors.passwordRequired'));
    this.localError = '';
    this.dispatchEvent(new CustomEvent('vd-login', { detail: { username: this.username.trim(), password: this.password, rememberMe: this.remember } }));
  }

  private sso() {
    if (!this.username.trim()) return void (this.localError = t('errors.usernameRequired'));
    this.localError = '';
    this.dispatchEvent(new CustomEvent('vd-sso', { detail: { username: this.username.trim(), rememberMe: this.remember } }));
  }

  private pickLanguage(e: Event) {
    const lang = (e.target as HTMLSelectElement).value;
    this.dispatchEvent(new CustomEvent('vd-language', { detail: { lang } }));
  }

  render() {
    const err = this.localError || this.error;
    return html`
      <div class="brand">
        <div class="logo" aria-hidden="true">
          <svg viewBox="0 0 24 24"><path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.46.57 3.6a1 1 0 0 1-.25 1z"/></svg>
        </div>
        <h1>${t('app.name')}</h1>
        <p class="tagline">${t('app.tagline')}</p>
      </div>
      ${this.authType === 'JWT'
        ? html`<div class="welcome" role="status"><h2>${t('login.welcome')}</h2><p>${t('login.waitingForHost')}</p></div>`
        : html`
          <form @submit=${this.submit} novalidate aria-busy=${this.busy ? 'true' : 'false'}>
            <h2>${t('login.title')}</h2>
            <label for="username">${t('login.username')}</label>
            <input id="username" name="username" type="email" autocomplete="username" .value=${this.username}
              placeholder=${t('login.usernamePlaceholder')} ?disabled=${this.busy}
              @input=${(e: Event) => (this.username = (e.target as HTMLInputElement).value)} />
            <label for="password">${t('login.password')}</label>
            <input id="password" name="password" type="password" autocomplete="current-password" .value=${this.password}
              ?disabled=${this.busy} @input=${(e: Event) => (this.password = (e.target as HTMLInputElement).value)} />
            ${this.kiosk
              ? html`<p class="kiosk-note">${t('login.kioskNote')}</p>`
              : html`<label class="remember"><input id="remember" type="checkbox" .checked=${this.remember} ?disabled=${this.busy}
                  @change=${(e: Event) => (this.remember = (e.target as HTMLInputElement).checked)} />${t('login.remember')}</label>`}
            <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? t('login.busy') : t('login.submit')}</button>
            <div class="or">${t('login.or')}</div>
            <button class="secondary" type="button" @click=${this.sso} ?disabled=${this.busy}>${t('login.sso')}</button>
            ${this.ssoWaiting
              ? html`<div class="waiting" role="status"><span>${t('login.ssoWaiting')}</span>
                  <button class="secondary" type="button" id="sso-cancel"
                    @click=${() => this.dispatchEvent(new CustomEvent('vd-sso-cancel'))}>${t('login.ssoCancel')}</button></div>`
              : ''}
            ${err ? html`<div class="error" role="alert">${err}</div>` : ''}
          </form>`}
      <div class="lang">
        <label for="language">${t('login.language')}</label>
        <select id="language" @change=${this.pickLanguage}>
          ${LANGUAGES.map((l) => html`<option value=${l.code} ?selected=${l.code === this.language}>${l.name}</option>`)}
        </select>
      </div>
    `;
  }
}

customElements.define('vd-login-view', LoginView);
