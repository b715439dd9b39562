// Entry point of the app's window: defines <webrtc-client-ui>, which
// index.html places on the page.
import './i18n';
import './webrtc-client-ui';
