package media

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// withDefaultCandidate puts the first RTP host candidate of each media
// section into its c= line and m= port, as browsers do (RFC 8839 "default
// candidate"). pion leaves 0.0.0.0 and port 9 there, which media relays
// such as rtpengine read as an old-style hold (RFC 2543) and answer with
// sendonly/recvonly.
func withDefaultCandidate(raw string) (string, error) {
	var desc sdp.SessionDescription
	if err := desc.UnmarshalString(raw); err != nil {
		return "", fmt.Errorf("parse local SDP: %w", err)
	}
	for _, md := range desc.MediaDescriptions {
		for _, a := range md.Attributes {
			if a.Key != "candidate" {
				continue
			}
			// foundation component transport priority address port typ type ...
			f := strings.Fields(a.Value)
			if len(f) < 8 || f[1] != "1" || !strings.EqualFold(f[2], "udp") {
				continue
			}
			port, err := strconv.Atoi(f[5])
			if err != nil {
				continue
			}
			addrType := "IP4"
			if strings.Contains(f[4], ":") {
				addrType = "IP6"
			}
			md.MediaName.Port = sdp.RangedPort{Value: port}
			md.ConnectionInformation = &sdp.ConnectionInformation{NetworkType: "IN", AddressType: addrType, Address: &sdp.Address{Address: f[4]}}
			break
		}
	}
	out, err := desc.Marshal()
	if err != nil {
		return "", fmt.Errorf("write local SDP: %w", err)
	}
	// The parser accepts some malformed SDP (no o= or s=) that it then writes
	// back in a form it refuses; never hand such SDP to the far end.
	var check sdp.SessionDescription
	if err := check.UnmarshalString(string(out)); err != nil {
		return "", fmt.Errorf("local SDP is malformed: %w", err)
	}
	return string(out), nil
}
