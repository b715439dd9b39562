import { LitElement } from 'lit';
import type { PhoneApi } from '../api';

/**
 * A settings section that reads and writes the window surface itself: it
 * loads when shown, renders in the settings screen's tree (no shadow root
 * of its own, so the element's styles and ids reach it), and re-renders
 * its words when the language changes.
 */
export abstract class SettingsSection extends LitElement {
  static properties = { api: { attribute: false }, language: { type: String }, notice: { state: true } };
  declare api: PhoneApi;
  /** Re-renders the words when the language changes. */
  declare language: string;
  /** What the last action said (a refusal, a copy). */
  declare notice: string;

  constructor() {
    super();
    this.notice = '';
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  /** Reads the section's state from the backend. */
  protected abstract load(): Promise<void>;
}
