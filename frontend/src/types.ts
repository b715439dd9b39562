/**
 * The reference's types (voice-for-browser.txt: the interfaces its methods
 * take and return, its event payloads) and the backend's shapes the UI
 * reads. No behaviour: every other module imports its types from here.
 */
import type { UserInfo } from './views/home-view';

/** The reference's AudioHandlingEnum. */
export type AudioHandling = 'default' | 'legacy';

/** The reference's UserRoleNumberInterface and PublicUserRoleInterface. */
export interface UserRoleNumber {
  Default: boolean;
  DisplayNumber: string;
  DisplayName: string;
}
export interface PublicUserRole {
  Name: string;
  Numbers: UserRoleNumber[];
  SelectedNumber?: UserRoleNumber;
  QueueId?: string;
  Recorded?: boolean;
}

/** The reference's PublicUserStatusInterface. */
export interface PublicUserStatus {
  EndDate?: string | null;
  EventSourceCategory: string;
  EventTypeID: number;
  Id?: string;
  Note: string;
  PresenceTypeID: number;
  StartDate?: string | null;
  Timestamp?: string | null;
  TransferNumber?: string | null;
  WrapUpEnd?: string | null;
}

/** The reference's AuthHeaderInterface. */
export interface AuthHeaderValue {
  value: string;
  expiresIn: number;
}

/** The reference's LoginOptionsInterface (Keycloak has no desktop meaning). */
export interface LoginOptions {
  type: 'Credentials' | 'AuthHeader' | 'SSO';
  username?: string;
  userId?: string;
  authHeader?: AuthHeaderValue;
  password?: string;
  isInIframe?: boolean;
  siloName?: string;
  /** The browser phone's Keycloak object; unused here: SSO runs in the system browser. */
  keycloak?: unknown;
  /** VoiceDesk addition: keep a Credentials or SSO login (its secret or refresh token in the OS keyring) for a silent sign-in at the next start. */
  rememberMe?: boolean;
}

/** The reference's CallTransferStateInterface. */
export interface CallTransferState {
  callId: string;
  confirmed: boolean;
  transferredTo?: string;
}

/** The reference's CallExtraDataInterface (ExtraDataType 1: strong authentication). */
export interface CallExtraData {
  CallId: string;
  ExtraDataType?: number;
  Keyword: string;
  Value: string;
}

/** The reference's OutboundServiceCallDataInterface. */
export interface OutboundServiceCallData {
  callbackListId?: string;
  callbackRequestId?: string;
  queueId?: string;
  cli?: string;
}

/** The reference's call event payload; times are Date objects as in the reference. */
export interface CallEventDetail {
  /** The platform's id of the call (see lab/API.md), the same for its whole life. */
  callId: string;
  /** VoiceDesk addition: this phone's SIP Call-ID of the call, to match SIP traces. */
  sipCallId?: string;
  callDirection: 'incoming' | 'outbound';
  phoneNumber: string;
  startTime: Date;
  isConsulted: boolean;
  endTime?: Date;
  endReason?: string;
  displayName?: string;
  /** Service calls: when the caller entered the queue (UTC), and the queue. */
  queueArrivalTime?: string;
  queueId?: string;
  queueName?: string;
  transferredTo?: string;
  userData?: Record<string, unknown>;
  wrapUpDuration?: string;
}

/** The backend sends times as ISO strings; the reference's detail has Dates. */
export function toCallDetail(raw: unknown): CallEventDetail {
  const d = { ...(raw as Record<string, unknown>) };
  d.startTime = new Date(String(d.startTime));
  if (d.endTime) d.endTime = new Date(String(d.endTime));
  return d as unknown as CallEventDetail;
}

export interface BackendState {
  loggedIn: boolean;
  user?: UserInfo;
  language: string;
  discoveryUrl: string;
  /** A kiosk station (the administrator's lock): no settings, no sign-out. */
  kiosk?: boolean;
  /** The registration while signed in: 'registered', 'reconnecting' or 'failed'. */
  connection?: string;
  /** What the host set: setAuthType's login screen, updateBeneUiUrl's link. */
  authType?: string;
  uiUrl?: string;
  /** The calls in progress (backend/phone CallView), for a UI that (re)attaches mid-call. */
  calls?: Array<{ detail: unknown; state: CallState; held?: boolean; muted?: boolean; merged?: boolean; connectedAt?: string }>;
}

/** The app's desktop choices (desktop.go's DesktopSettings). */
export interface DesktopSettings {
  available: boolean;
  keepRunning: boolean;
  startMinimized: boolean;
  tray: boolean;
  kiosk: boolean;
  /** Starts at login (an XDG autostart entry). */
  autostart?: boolean;
}

/** Which apps open phone links (backend/linkhandler's State). */
export interface LinkHandlerState {
  handlers: Record<string, string>;
  ours: boolean;
  /** VoiceDesk's own handler among handlers ('voicedesk.desktop', 'VoiceDesk.Link' on Windows). */
  self?: string;
  /** Windows asks the user to choose VoiceDesk in Default apps, which was opened. */
  confirmInSettings?: boolean;
}

/** The integration API's setting (integration.go's IntegrationSettings). */
export interface IntegrationSettings {
  available: boolean;
  enabled: boolean;
  port: number;
  origins: string[];
  fixed: boolean;
  tokenFixed: boolean;
  rpc?: string;
  token?: string;
  error?: string;
}


/** A call as the screen shows it. */
export type CallState = 'calling' | 'ringing' | 'incoming' | 'connected';

export interface CallView {
  detail: CallEventDetail;
  state: CallState;
  /** On hold (call-paused) and muted (call-muted), from the events. */
  held?: boolean;
  muted?: boolean;
  /** When the call was answered (ms since the epoch), for its timer. */
  connectedAt?: number;
  /** VoiceDesk addition: merged into a local three-way call (conference-started, -ended). */
  merged?: boolean;
}

/** VoiceDesk addition: conference-started's and conference-ended's detail. */
export interface ConferenceEvent {
  callIds: string[];
  /** conference-ended: 'split' or 'hangup'. */
  reason?: string;
}

/** A finished call, for the recent calls list. */
export interface RecentCall {
  number: string;
  /** The caller's name as received: untrusted text. */
  name?: string;
  direction: 'incoming' | 'outbound';
  /** An incoming call that was never answered. */
  missed: boolean;
  /** When it started and how long it was connected (ms). */
  at: number;
  connectedMs: number;
}


/** The app's version and source revision (window.go's About). */
export interface About {
  version: string;
  /** The git revision, "+changes" when built from a changed tree; "" unknown. */
  commit: string;
  go: string;
}

/** The auto-answer setting (VoiceDesk's addition; autoanswer.go's AutoAnswerSettings). */
export interface AutoAnswerSettings {
  mode: 'off' | 'all' | 'queue' | 'requested';
  delaySeconds: number;
  /** Set by the administrator's policy: shown, not changeable. */
  locked: boolean;
}

/** The settings' headset line (headset.go's HeadsetStatus). */
export interface HeadsetStatus {
  name?: string;
  state: 'working' | 'none' | 'no-access' | 'unsupported';
  reason?: string;
}

/** VoiceDesk addition: what the Colleagues view shows of someone's availability. */
export type Presence = 'available' | 'on-call' | 'unavailable' | 'unknown';

/** VoiceDesk addition: a user or queue of the platform's directory (SearchColleagues, colleague-status-changed). */
export interface Colleague {
  kind: 'user' | 'queue';
  id: string;
  name: string;
  number: string;
  email?: string;
  presence: Presence;
  /** The availability's EventTypeID (1-6) when known, and its note. */
  statusId?: number;
  note?: string;
  /** A queue's members and how many are free. */
  members?: number;
  membersAvailable?: number;
  favourite: boolean;
}

/** VoiceDesk addition: a directory search's answer. */
export interface Colleagues {
  favourites: Colleague[];
  results: Colleague[];
  /** Every match; results hold the first page only. */
  total: number;
}
