package media

import (
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"

	"voicedesk/backend/codec"
)

// The engine registers backend/codec's table with pion under pion's own
// MIME types (a mismatch would offer a codec pion then cannot match).
func TestCodecsAreTheCodecTable(t *testing.T) {
	pion := map[string]string{"OPUS": webrtc.MimeTypeOpus, "PCMU": webrtc.MimeTypePCMU, "PCMA": webrtc.MimeTypePCMA}
	if len(codecs) != len(codec.Codecs) {
		t.Fatalf("%d codecs registered, %d in the table", len(codecs), len(codec.Codecs))
	}
	for _, c := range codec.Codecs {
		got := codecs[strings.ToUpper(c.Name)]
		if got.MimeType != pion[strings.ToUpper(c.Name)] || uint8(got.PayloadType) != c.PayloadType {
			t.Errorf("%s registers as %s/%d, want %s/%d", c.Name, got.MimeType, got.PayloadType, pion[strings.ToUpper(c.Name)], c.PayloadType)
		}
		if _, err := codec.ByName(c.Name); err != nil {
			t.Errorf("the table's %s has no codec: %v", c.Name, err)
		}
	}
}
