/**
 * The backend's two surfaces, typed (app.go's App: the phone; window.go's
 * Window: settings, desktop, integration). Only the transport knows how a
 * call travels (Wails bindings or the bridge's WebSocket); everything
 * above it calls these methods, so a renamed backend method is a type
 * error here and not a silent "method not found" in a view.
 */
import type { Transport } from './transport';
import type {
  About,
  AutoAnswerSettings,
  HeadsetStatus,
  AuthHeaderValue,
  BackendState,
  CallExtraData,
  CallTransferState,
  Colleagues,
  DesktopSettings,
  IntegrationSettings,
  LinkHandlerState,
  LoginOptions,
  OutboundServiceCallData,
  PublicUserRole,
  PublicUserStatus,
  AudioHandling,
} from './types';
import type { AudioDevices, AudioSettings } from './views/audio-settings';

export class PhoneApi {
  constructor(public transport: Transport) {}

  private call<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.transport.invoke<T>(method, ...args);
  }

  // ---- The phone surface (App): the reference's methods ----
  state = () => this.call<BackendState>('State');
  login = (o: LoginOptions) => this.call<boolean>('Login', o);
  // The deprecated logins, in the reference's argument order.
  loginUsingSSO = (username: string, isInIFrame: boolean | null, siloName: string) =>
    this.call<boolean>('LoginUsingSSO', username, isInIFrame, null, siloName);
  loginUsingUsernameAndPassword = (username: string, password: string, isInIFrame: boolean | null, siloName: string) =>
    this.call<boolean>('LoginUsingUsernameAndPassword', username, password, isInIFrame, siloName);
  loginUsingAuthHeader = (h: AuthHeaderValue, userId: string, username: string, isInIFrame: boolean | null, siloName: string) =>
    this.call<boolean>('LoginUsingAuthHeader', h, userId, username, isInIFrame, siloName);
  logout = (force: boolean) => this.call<void>('Logout', force);
  setClientId = (id: string) => this.call<boolean>('SetClientId', id);
  setAuthHeader = (h: AuthHeaderValue) => this.call<void>('SetAuthHeader', h);
  makeAPICall = (method: string, path: string, payload: object | null) => this.call<unknown>('MakeAPICall', method, path, payload);
  getUserStatus = () => this.call<PublicUserStatus>('GetUserStatus');
  setUserStatus = (id: number, note: string) => this.call<PublicUserStatus>('SetUserStatus', id, note);
  searchColleagues = (search: string) => this.call<Colleagues>('SearchColleagues', search);
  setFavourite = (id: string, on: boolean) => this.call<void>('SetFavourite', id, on);
  getUserRoles = () => this.call<PublicUserRole[]>('GetUserRoles');
  getUserRole = () => this.call<PublicUserRole>('GetUserRole');
  setUserRole = (queueId: string, number: string) => this.call<boolean>('SetUserRole', queueId, number);
  setPhoneLanguage = (lang: string) => this.call<void>('SetPhoneLanguage', lang);
  setDiscoveryUrl = (url: string) => this.call<boolean>('SetDiscoveryUrl', url);
  dial = (n: string, data: OutboundServiceCallData | null) => this.call<string>('Call', n, data);
  callOutboundQueue = (n: string, queueId: string, cli: string) => this.call<string>('CallOutboundQueue', n, queueId, cli);
  callOutboundCallback = (n: string, listId: string, requestId: string, cli: string) =>
    this.call<string>('CallOutboundCallback', n, listId, requestId, cli);
  answerCall = (id: string) => this.call<void>('AnswerCall', id);
  rejectCall = (id: string) => this.call<void>('RejectCall', id);
  endCall = (id: string) => this.call<void>('EndCall', id);
  pauseCall = (id: string) => this.call<void>('PauseCall', id);
  resumeCall = (id: string) => this.call<void>('ResumeCall', id);
  muteCall = (id: string) => this.call<void>('MuteCall', id);
  unmuteCall = (id: string) => this.call<void>('UnmuteCall', id);
  sendDTMF = (id: string, tones: string, o: { duration?: number; interToneGap?: number }) => this.call<boolean>('SendDTMF', id, tones, o);
  transferCall = (kind: string, n: string) => this.call<CallTransferState>('TransferCall', kind, n);
  mergeCalls = () => this.call<string[]>('MergeCalls');
  splitCall = (id: string) => this.call<void>('SplitCall', id);
  confirmTransfer = () => this.call<CallTransferState>('ConfirmTransfer');
  startCallRecording = (id: string) => this.call<void>('StartCallRecording', id);
  stopCallRecording = (id: string) => this.call<void>('StopCallRecording', id);
  setPNPSMissionType = (t: string) => this.call<void>('SetPNPSMissionType', t);
  disablePNPSQuery = (off: boolean) => this.call<void>('DisablePNPSQuery', off);
  updateJWT = (token: string) => this.call<void>('UpdateJWT', token);
  startCallSupervision = (target: string) => this.call<boolean>('StartCallSupervision', target);
  setUserData = (data: object) => this.call<boolean>('SetUserData', data);
  getCallExtraData = () => this.call<CallExtraData[]>('GetCallExtraData');
  setAudioHandling = (h: AudioHandling) => this.call<boolean>('SetAudioHandling', h);
  setPhoneAlerts = (on: boolean) => this.call<void>('SetPhoneAlerts', on);
  /** The element's auto-answer attributes (VoiceDesk's addition). */
  setAutoAnswer = (mode: string, delaySeconds: number) => this.call<void>('SetAutoAnswer', mode, delaySeconds);
  autoAnswerSettings = () => this.call<AutoAnswerSettings>('AutoAnswerSettings');
  headsetStatus = () => this.call<HeadsetStatus>('HeadsetStatus');
  setAutoAnswerSettings = (s: AutoAnswerSettings) => this.call<void>('SetAutoAnswerSettings', s);
  setAuthType = (t: string) => this.call<void>('SetAuthType', t);
  updateBeneUiUrl = (url: string) => this.call<void>('UpdateBeneUiUrl', url);

  // ---- The window surface (Window) ----
  about = () => this.call<About>('About');
  cancelLogin = () => this.call<void>('CancelLogin');
  callStats = (id: string) => this.call<{ quality: string }>('CallStats', id);
  answerPNPS = (id: string, score: number, comment: string) => this.call<void>('AnswerPNPS', id, score, comment);
  dismissPNPS = (id: string) => this.call<void>('DismissPNPS', id);
  audioSettings = () => this.call<AudioSettings>('AudioSettings');
  audioDevices = () => this.call<AudioDevices>('AudioDevices');
  setAudioSettings = (s: AudioSettings) => this.call<void>('SetAudioSettings', s);
  testSound = (kind: string) => this.call<void>('TestSound', kind);
  micLevel = () => this.call<number>('MicLevel');
  desktopSettings = () => this.call<DesktopSettings>('DesktopSettings');
  setDesktopSettings = (d: DesktopSettings) => this.call<void>('SetDesktopSettings', d);
  linkHandler = () => this.call<LinkHandlerState>('LinkHandler');
  registerLinkHandler = () => this.call<LinkHandlerState>('RegisterLinkHandler');
  integrationSettings = () => this.call<IntegrationSettings>('IntegrationSettings');
  setIntegrationSettings = (g: IntegrationSettings) => this.call<IntegrationSettings>('SetIntegrationSettings', g);
  renewIntegrationToken = () => this.call<IntegrationSettings>('RenewIntegrationToken');
}
