package settings

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows/registry"
)

func defaultPolicyPath() string {
	dir := os.Getenv("ProgramData")
	if dir == "" {
		dir = `C:\ProgramData`
	}
	return filepath.Join(dir, "VoiceDesk", "policy.json")
}

// policyKey is the machine's policy key for VoiceDesk: Group Policy (an
// ADMX template or a registry preference) and Intune write there, and
// users cannot.
var policyKey = `Software\Policies\VoiceDesk`

// machinePolicy lays the policy key's values over p: Kiosk (REG_DWORD,
// 0 or 1), DiscoveryUrl (REG_SZ), AutoAnswerMode (REG_SZ) and
// AutoAnswerDelay (REG_DWORD, seconds). A value of the wrong type is an error,
// as a wrong file is.
func machinePolicy(p Policy) (Policy, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, policyKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read the policy key HKLM\\%s: %w", policyKey, err)
	}
	defer k.Close()
	if v, _, err := k.GetIntegerValue("Kiosk"); err == nil {
		p.Kiosk = v != 0
	} else if !errors.Is(err, registry.ErrNotExist) {
		return Policy{}, fmt.Errorf("policy key HKLM\\%s: Kiosk: %w (want a REG_DWORD, 0 or 1)", policyKey, err)
	}
	if v, _, err := k.GetStringValue("AutoAnswerMode"); err == nil {
		a := AutoAnswer{Mode: v}
		if d, _, err := k.GetIntegerValue("AutoAnswerDelay"); err == nil {
			a.DelaySeconds = int(min(d, 3600))
		}
		p.AutoAnswer = &a
	} else if !errors.Is(err, registry.ErrNotExist) {
		return Policy{}, fmt.Errorf("policy key HKLM\\%s: AutoAnswerMode: %w (want a REG_SZ: off, all, queue or requested)", policyKey, err)
	}
	if v, _, err := k.GetStringValue("DiscoveryUrl"); err == nil {
		p.DiscoveryURL = v
	} else if !errors.Is(err, registry.ErrNotExist) {
		return Policy{}, fmt.Errorf("policy key HKLM\\%s: DiscoveryUrl: %w (want a REG_SZ)", policyKey, err)
	}
	return p, nil
}
