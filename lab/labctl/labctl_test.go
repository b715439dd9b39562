package labctl

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voicedesk/lab/apiserver"
)

func TestKamailioConfigIsValid(t *testing.T) {
	if _, err := exec.LookPath(mustLook("kamailio")); err != nil {
		t.Fatal("kamailio is not installed (make setup installs it)")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "kamailio.cfg")
	ports := Ports{SIPUDP: 5070, SIPWS: 8070, SIPTLS: 5071, SIPWSS: 8071, NG: 22222}
	routing := apiserver.Routing{
		Accounts:  []apiserver.SIPAccount{{User: "alice", Password: "pw", Number: "+358401"}, {User: "tone", Password: "x"}},
		Queues:    []apiserver.QueueRoute{{ID: "q1", Name: "Sales", Number: "+358201", Members: []string{"alice"}}},
		CLIs:      []apiserver.CLIGrant{{User: "alice", Number: "+358201"}},
		Callbacks: []apiserver.CallbackRoute{{ListID: "l1", RequestID: "r1", QueueID: "q1"}},
	}
	cert, key, tlsCfg := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"), filepath.Join(dir, "tls.cfg")
	if err := writeLabCert(cert, key, "voicedesk.lab"); err != nil {
		t.Fatal(err)
	}
	if err := writeTLSConfig(tlsCfg, cert, key); err != nil {
		t.Fatal(err)
	}
	if err := writeKamailioConfig(path, ports, routing, tlsCfg, filepath.Join(dir, "ctl.sock")); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{`$sht(sipusers=>alice) = "pw";`, `$sht(numbers=>+358401) = "alice";`,
		`$sht(queuenumbers=>+358201) = "q1";`, `$sht(queueagent=>q1) = "alice";`, `$sht(queuemembers=>q1:alice) = 1;`,
		`$sht(clis=>alice:+358201) = 1;`, `$sht(callbacks=>l1:r1) = "q1";`, "listen=tcp:127.0.0.1:8070", "listen=tls:127.0.0.1:5071", "listen=tls:127.0.0.1:8071", "udp:127.0.0.1:22222"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("config lacks %q", want)
		}
	}
	// Kamailio's own parser checks the rendered script.
	out, err := exec.Command(mustLook("kamailio"), "-c", "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("kamailio -c: %v\n%s", err, out)
	}
}

func TestKamailioConfigRefusesInjection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kamailio.cfg")
	for _, bad := range []string{`pw"; exit; "`, "a\nb", `$var(x)`, `back\slash`, "key:part"} {
		for _, r := range []apiserver.Routing{
			{Accounts: []apiserver.SIPAccount{{User: "u", Password: bad}}},
			{Queues: []apiserver.QueueRoute{{ID: "q", Name: bad, Number: "+1"}}},
			{CLIs: []apiserver.CLIGrant{{User: "u", Number: bad}}},
		} {
			if err := writeKamailioConfig(path, Ports{}, r, "tls.cfg", "ctl.sock"); err == nil {
				t.Errorf("%q was written into the config (%+v)", bad, r)
			}
		}
	}
}

func TestProcessStopByPid(t *testing.T) {
	r := &runner{dir: t.TempDir()}
	// A shell that ignores SIGTERM, with a child: Stop must still end both.
	p, err := r.start("stubborn", filepath.Join(r.dir, "stubborn.log"), "/bin/sh", "-c", "trap '' TERM; sleep 60 & wait")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if !p.Alive() {
		t.Fatal("started process is not alive")
	}
	if err := p.Stop(300 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if p.Alive() || p.groupAlive() {
		t.Fatal("process group survived Stop")
	}
	// A recorded pid whose start time differs is someone else's: not alive to us.
	self := Process{Name: "self", PID: os.Getpid(), StartTicks: 1}
	if self.Alive() {
		t.Fatal("a pid with another start time counts as alive")
	}
}
