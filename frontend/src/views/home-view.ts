import { LitElement, css, html } from 'lit';
import { t } from '../i18n';

export interface UserInfo {
  userId: string;
  username: string;
  displayName: string;
  number: string;
  siloName: string;
}

/** The reference's PublicUserRoleInterface (the fields the picker uses). */
export interface RoleInfo {
  Name: string;
  QueueId?: string;
  Numbers: Array<{ Default: boolean; DisplayNumber: string; DisplayName: string }>;
  SelectedNumber?: { DisplayNumber: string };
}

/** The signed-in screen: who is signed in, availability, role, and sign out. */
export class HomeView extends LitElement {
  static properties = {
    user: { attribute: false },
    status: { attribute: false },
    roles: { attribute: false },
    selectedRole: { attribute: false },
    language: { type: String },
    kiosk: { type: Boolean },
    connection: { type: String },
  };
  /** The registration: 'reconnecting' shows a banner until it is back. */
  declare connection: string;
  /** A kiosk station: no settings, no sign-out (the administrator's lock). */
  declare kiosk: boolean;
  declare user: UserInfo | null;
  /** The availability (PublicUserStatusInterface); null until known. */
  declare status: { EventTypeID: number; Note: string } | null;
  /** The roles to pick from (V2 outbound UI mode); null hides the picker. */
  declare roles: RoleInfo[] | null;
  declare selectedRole: RoleInfo | null;
  declare language: string;

  constructor() {
    super();
    this.user = null;
    this.status = null;
    this.roles = null;
    this.selectedRole = null;
    this.language = 'en';
    this.kiosk = false;
    this.connection = '';
  }

  static styles = css`
    :host { display: block; font-family: system-ui, 'Segoe UI', Roboto, sans-serif; color: var(--vd-text, #1c2430); }
    section { background: var(--vd-surface, #fff); border-radius: 12px; padding: 20px; box-shadow: 0 1px 3px rgba(0,0,0,.12); margin-top: 28px; }
    h2 { font-size: 18px; margin: 0 0 12px; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 6px 12px; margin: 0; font-size: 14px; }
    dt { color: var(--vd-muted, #4a5566); }
    dd { margin: 0; font-weight: 600; min-width: 0; }
    select { max-width: 100%; font: inherit; font-weight: 600; padding: 2px 4px; border-radius: 6px; border: 1px solid var(--vd-border, #b9c3d3); }
    .buttons { display: flex; gap: 8px; margin-top: 14px; }
    button { flex: 1; font: inherit; font-weight: 600; padding: 10px; border-radius: 8px; border: 0; cursor: pointer; background: var(--vd-soft, #e7edf7); color: var(--vd-accent, #133d7a); }
    button:focus-visible { outline: 3px solid #f5a623; outline-offset: 1px; }
    .banner { margin: 16px 0 0; padding: 10px 14px; border-radius: 8px; background: var(--vd-warn-bg, #fff4d6); color: var(--vd-warn, #6b4a00); font-weight: 600; font-size: 14px; }
  `;

  private renderRoles(roles: RoleInfo[]) {
    const selected = `${this.selectedRole?.QueueId ?? ''}|${this.selectedRole?.SelectedNumber?.DisplayNumber ?? ''}`;
    const pick = (e: Event) => {
      const [queueId, number] = (e.target as HTMLSelectElement).value.split('|');
      this.dispatchEvent(new CustomEvent('vd-role', { detail: { queueId, number } }));
    };
    return html`<dt><label for="role">${t('home.role')}</label></dt>
      <dd>
        <select id="role" @change=${pick}>
          ${roles.flatMap((r) =>
            r.Numbers.map((n) => {
              const value = `${r.QueueId ?? ''}|${n.DisplayNumber}`;
              const name = r.QueueId ? r.Name : t('home.personal');
              return html`<option value=${value} ?selected=${value === selected}>${name} · ${n.DisplayNumber}</option>`;
            }),
          )}
        </select>
      </dd>`;
  }

  render() {
    const u = this.user;
    if (!u) return html``;
    const away = this.connection === 'reconnecting' || this.connection === 'failed';
    return html`
      ${away ? html`<p class="banner" role="status">${t('connection.lost')}</p>` : ''}
      <section aria-labelledby="who">
        <h2 id="who">${t('home.signedInAs', { name: u.displayName || u.username })}</h2>
        <dl>
          <dt>${t('home.number')}</dt><dd>${u.number}</dd>
          <dt>${t('home.silo')}</dt><dd>${u.siloName}</dd>
          <dt><label for="status">${t('home.availability')}</label></dt>
          <dd>
            <select id="status" ?disabled=${!this.status}
              @change=${(e: Event) => this.dispatchEvent(new CustomEvent('vd-status', { detail: { id: Number((e.target as HTMLSelectElement).value) } }))}>
              ${!this.status ? html`<option>…</option>` : ''}
              ${[1, 2, 3, 4, 5, 6].map((id) => html`<option value=${id} ?selected=${this.status?.EventTypeID === id}>${t(`status.${id}`)}</option>`)}
            </select>
            ${this.status?.Note ? html`<div class="note">${this.status.Note}</div>` : ''}
          </dd>
          ${this.roles?.length ? this.renderRoles(this.roles) : ''}
        </dl>
        ${this.kiosk
          ? ''
          : html`<div class="buttons">
              <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('vd-settings'))}>${t('home.settings')}</button>
              <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('vd-logout'))}>${t('home.signOut')}</button>
            </div>`}
      </section>
    `;
  }
}

customElements.define('vd-home-view', HomeView);
