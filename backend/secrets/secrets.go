// Package secrets keeps the phone's secrets (a remembered login's API
// secret key) in the OS keyring (the Secret Service on Linux: GNOME
// Keyring, KWallet; Keychain; Windows Credential Manager) through
// go-keyring. Nothing secret goes to a file or a log.
package secrets

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/zalando/go-keyring"
)

// Service is the keyring entry's service name.
const Service = "VoiceDesk"

// ErrNotFound is returned for a secret that is not stored.
var ErrNotFound = errors.New("secret not found in the keyring")

// Store keeps secrets by account name.
type Store interface {
	Set(account, secret string) error
	Get(account string) (string, error)
	Delete(account string) error
}

// Keyring is the OS keyring.
type Keyring struct{}

// Set stores secret for account.
func (Keyring) Set(account, secret string) error {
	if err := keyring.Set(Service, account, secret); err != nil {
		return fmt.Errorf("store secret in the OS keyring: %w", err)
	}
	return nil
}

// Get returns account's secret, or ErrNotFound.
func (Keyring) Get(account string) (string, error) {
	s, err := keyring.Get(Service, account)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read secret from the OS keyring: %w", err)
	}
	return s, nil
}

// Delete removes account's secret; a missing one is not an error.
func (Keyring) Delete(account string) error {
	if err := keyring.Delete(Service, account); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("delete secret from the OS keyring: %w", err)
	}
	return nil
}

// integrationAccount is the keyring account of the integration API's
// token; logins are kept under user names, which never look like this.
const integrationAccount = ":integration-token"

// IntegrationToken is this installation's token for the integration API
// (the bridge): made at first use, then kept in the store, so that an
// integration configured once keeps working across restarts.
func IntegrationToken(s Store) (string, error) {
	tok, err := s.Get(integrationAccount)
	if err == nil && len(tok) >= 32 {
		return tok, nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", err
	}
	return RenewIntegrationToken(s)
}

// RenewIntegrationToken replaces the integration API's token with a new
// one, which it returns: integrations given the old one are shut out.
func RenewIntegrationToken(s Store) (string, error) {
	tok, err := NewToken()
	if err != nil {
		return "", err
	}
	if err := s.Set(integrationAccount, tok); err != nil {
		return "", err
	}
	return tok, nil
}

// NewToken is a random 48-hex-digit token (192 bits).
func NewToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Memory is a Store in memory, for unit tests of its users.
type Memory struct {
	mu sync.Mutex
	m  map[string]string
}

// Set implements Store.
func (m *Memory) Set(account, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]string{}
	}
	m.m[account] = secret
	return nil
}

// Get implements Store.
func (m *Memory) Get(account string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.m[account]
	if !ok {
		return "", ErrNotFound
	}
	return s, nil
}

// Delete implements Store.
func (m *Memory) Delete(account string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, account)
	return nil
}
