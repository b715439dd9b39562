//go:build !windows

package settings

func defaultPolicyPath() string { return "/etc/voicedesk/policy.json" }

// machinePolicy: only Windows has a policy key (policy_windows.go).
func machinePolicy(p Policy) (Policy, error) { return p, nil }
