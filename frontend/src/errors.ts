/**
 * Maps the backend's login errors (the reference's English messages, from
 * backend/phone) to translated text for the screen. Unknown messages are
 * shown as they are, inside the generic sentence.
 */
const KNOWN: Array<[prefix: string, key: string]> = [
  ['Login failed: username or password is incorrect', 'errors.badCredentials'],
  ['Login failed: user was not found', 'errors.unknownUser'],
  ['Login failed: could not reach the service', 'errors.unreachable'],
  ['This login type is not available in this version', 'errors.typeUnavailable'],
  ['Username is missing', 'errors.usernameRequired'],
  ['Password is missing', 'errors.passwordRequired'],
];

export function loginErrorKey(message: string): { key: string; message: string } {
  for (const [prefix, key] of KNOWN) {
    if (message.startsWith(prefix)) return { key, message };
  }
  return { key: 'errors.generic', message };
}
