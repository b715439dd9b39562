/**
 * Maps the backend's login errors (the reference's English messages, from
 * backend/phone) to translated text for the screen. Unknown messages are
 * shown as they are, inside the generic sentence.
 */
const KNOWN: Array<[prefix: string, key: string]> = [
  ['Login failed: username or password is incorrect', 'errors.badCredentials'],
  ['Login failed: user was not found', 'errors.unknownUser'],
  ['Login failed: could not reach the service', 'errors.unreachable'],
  ['Login failed: SSO (modern authentication) is not enabled', 'errors.ssoNotEnabled'],
  ['Login failed: the sign-in was cancelled', 'errors.loginCanceled'],
  ['Login failed: the sign-in in the browser was not finished in time', 'errors.ssoTimeout'],
  ['Login failed: signed in at the identity provider as', 'errors.ssoOtherUser'],
  ['Login failed: the identity provider refused the sign-in', 'errors.ssoRefused'],
  ['Username is missing', 'errors.usernameRequired'],
  ['Password is missing', 'errors.passwordRequired'],
];

export function loginErrorKey(message: string): { key: string; message: string } {
  for (const [prefix, key] of KNOWN) {
    if (message.startsWith(prefix)) return { key, message };
  }
  return { key: 'errors.generic', message };
}
