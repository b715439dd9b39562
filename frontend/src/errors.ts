/**
 * Maps the backend's login errors to translated text for the screen, by
 * their stable codes (backend/phone ErrorCode), never by their English
 * words. An error without a known code is shown as it is, inside the
 * generic sentence.
 */
const KNOWN: Record<string, string> = {
  'login-bad-credentials': 'errors.badCredentials',
  'login-unknown-user': 'errors.unknownUser',
  'login-unreachable': 'errors.unreachable',
  'login-bad-answer': 'errors.badAnswer',
  'login-timeout': 'errors.timeout',
  'sso-not-enabled': 'errors.ssoNotEnabled',
  'login-canceled': 'errors.loginCanceled',
  'sso-timeout': 'errors.ssoTimeout',
  'sso-other-user': 'errors.ssoOtherUser',
  'sso-refused': 'errors.ssoRefused',
  'missing-username': 'errors.usernameRequired',
  'missing-password': 'errors.passwordRequired',
};

export function loginErrorKey(err: Error & { code?: string }): { key: string; message: string } {
  const key = (err.code && KNOWN[err.code]) || 'errors.generic';
  return { key, message: err.message };
}
