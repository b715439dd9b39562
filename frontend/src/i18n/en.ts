// English strings. Every other language file has exactly these keys
// (checked by i18n.test.ts).
export default {
  app: { name: 'VoiceDesk', tagline: 'Softphone for contact centers' },
  login: {
    title: 'Sign in',
    username: 'Username',
    usernamePlaceholder: 'user.name@example.com',
    password: 'Password',
    submit: 'Sign in',
    or: 'or',
    sso: 'Sign in with SSO',
    language: 'Language',
    busy: 'Signing in…',
    welcome: 'Welcome',
    waitingForHost: 'Waiting for the host application to sign you in.',
  },
  home: {
    signedInAs: 'Signed in as {{name}}',
    number: 'Your number',
    silo: 'Silo',
    signOut: 'Sign out',
  },
  call: {
    dialLabel: 'Number to call',
    call: 'Call',
    answer: 'Answer',
    reject: 'Reject',
    hangup: 'Hang up',
    calls: 'Calls',
    ended: 'Call ended ({{reason}})',
    state: {
      calling: 'Calling…',
      ringing: 'Ringing…',
      incoming: 'Incoming call',
      connected: 'Connected',
    },
  },
  errors: {
    usernameRequired: 'Enter your username.',
    passwordRequired: 'Enter your password.',
    badCredentials: 'The username or password is incorrect.',
    unknownUser: 'No account was found for this username.',
    unreachable: 'The service cannot be reached. Check your connection and try again.',
    typeUnavailable: 'This sign-in method is not available in this version.',
    generic: 'Sign-in failed: {{message}}',
  },
};
