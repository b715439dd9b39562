package main

import (
	"voicedesk/backend/bridge"
	"voicedesk/backend/integration"
)

// The integration API is backend/integration (its token, address, pages
// and setting); the root gives it the two surfaces and takes its server
// for the events, and the window's settings section carries to it.

// newIntegrationAPI makes the API serve App to every client and Window to
// its own page, with the phone's error codes, events to the server in use.
func (a *App) newIntegrationAPI(cfg integration.Config) *integration.API {
	cfg.Phone, cfg.Window, cfg.ErrorData, cfg.EventMethod = a, a.win, errorData, eventChannel
	cfg.OnServer = func(s *bridge.Server) { a.bridge.Store(s) }
	return integration.New(cfg)
}

// IntegrationSettings returns the integration API's setting and, while
// it is on, its address and token.
func (w *Window) IntegrationSettings() integration.Settings { return w.app.api.Settings(w.app.window) }

// SetIntegrationSettings turns the integration API on (at 127.0.0.1:port,
// for the origins given) or off, now and for the next starts.
func (w *Window) SetIntegrationSettings(s integration.Settings) (integration.Settings, error) {
	return w.app.api.Apply(s, w.app.window)
}

// RenewIntegrationToken replaces the integration API's token: integrations
// holding the old one are disconnected and refused from now on.
func (w *Window) RenewIntegrationToken() (integration.Settings, error) {
	return w.app.api.RenewToken(w.app.window)
}
