// Package apiserver is the lab's stand-in for the platform's REST API
// (EnreachAPI): discovery, credentials login and the seeded directory.
//
// It is written against the wire shapes of the public documentation and of
// lab/API.md, never against the app's backend types, so that a mismatch
// between client and server shows up in tests instead of being hidden by
// shared code. It must not import anything from voicedesk/backend.
package apiserver

// The JSON field names below follow the platform's PascalCase convention
// (UserID, SecretKey, QueueId, ...) where the public documentation shows it;
// lab/API.md lists which shapes are documented and which are the lab's choice.

// User is a platform user seeded into the lab.
type User struct {
	ID          string `json:"Id"`
	Username    string `json:"Username"` // login name, e-mail form
	FirstName   string `json:"FirstName"`
	LastName    string `json:"LastName"`
	Email       string `json:"Email"`
	Role        string `json:"Role"` // "agent" or "supervisor"
	DisplayName string `json:"DisplayName"`
	Number      string `json:"Number"` // the user's own E.164 number
	// OutboundUIMode is "V2" for users whose outbound calls go by roles
	// (getUserRole and friends); "V1" otherwise.
	OutboundUIMode string `json:"OutboundUIMode"`
}

// UserRoleNumber is a display number of a role (reference: UserRoleNumberInterface).
type UserRoleNumber struct {
	Default       bool   `json:"Default"`
	DisplayNumber string `json:"DisplayNumber"`
	DisplayName   string `json:"DisplayName"`
}

// UserRole is an outbound role (reference: PublicUserRoleInterface).
type UserRole struct {
	Name     string           `json:"Name"`
	Numbers  []UserRoleNumber `json:"Numbers"`
	QueueID  string           `json:"QueueId,omitempty"`
	Recorded bool             `json:"Recorded"`
}

// CurrentRole is a user's selected outbound role (reference:
// PublicUserRoleInterface with SelectedNumber).
type CurrentRole struct {
	UserRole
	SelectedNumber UserRoleNumber `json:"SelectedNumber"`
}

// Queue is a service queue.
type Queue struct {
	ID      string   `json:"Id"`
	Name    string   `json:"Name"`
	Number  string   `json:"Number"`
	Members []string `json:"Members"` // user ids
	// WrapUpTime is how many seconds an agent has after a call of the
	// queue before the next one (the reference's wrapUpDuration); 0 for
	// none. The lab's choice of name.
	WrapUpTime int `json:"WrapUpTime"`
}

// CallbackRequest is one request in a callback list.
type CallbackRequest struct {
	ID       string `json:"Id"`
	Number   string `json:"ContactNumber"`
	Name     string `json:"ContactName"`
	Note     string `json:"Note"`
	Created  string `json:"CreationTime"`
	Resolved bool   `json:"IsClosed"`
}

// CallbackList is a list of callback requests served by agents.
type CallbackList struct {
	ID       string            `json:"Id"`
	Name     string            `json:"Name"`
	QueueID  string            `json:"QueueId"`
	Requests []CallbackRequest `json:"Requests"`
}

// SIPEndpoint is a SIP account that is not a platform user: the lab's
// far-end phones (baresip) and test clients.
type SIPEndpoint struct {
	SIPUser     string `json:"SipUser"`
	SIPPassword string `json:"-"`
	Number      string `json:"Number"`
	Description string `json:"Description"`
	// ExtraData is what the platform's IVR learnt of this caller (strong
	// authentication), form-encoded keyword=value pairs; the proxy adds it
	// to the caller's calls to a queue.
	ExtraData string `json:"ExtraData,omitempty"`
}

// Silo is the lab's single silo; discovery answers with it.
const Silo = "LabSilo01"

// SIPDomain is the SIP domain Kamailio treats as its own.
const SIPDomain = "voicedesk.lab"

// Seed ids are fixed so that the demo, the tests and the docs can name them.
const (
	AliceID       = "6f1f0a40-0c3e-4f0b-9a51-000000000001"
	BobID         = "6f1f0a40-0c3e-4f0b-9a51-000000000002"
	SaraID        = "6f1f0a40-0c3e-4f0b-9a51-000000000003"
	SalesQueueID  = "05dd1655-5ff2-4612-93fa-000000000100"
	SupportQID    = "05dd1655-5ff2-4612-93fa-000000000200"
	CallbackList1 = "78c79e79-32c7-4a76-9513-000000000300"
)

// SeedUser is a seeded user with the clear-text passwords the lab documents
// (the demo login prints them); the store keeps only the bcrypt hash of the
// API password.
type SeedUser struct {
	User
	Password string
	// SIP account the user registers with; the password is served only to
	// the user themself through /users/{id}/sipsettings.
	SIPUser, SIPPassword string
	// Roles are the outbound roles (V2 outbound UI mode) with display numbers.
	Roles []UserRole
	// SSO: the user has modern authentication (Enreach Identity) enabled,
	// so discovery names the lab's identity provider as their authority.
	SSO bool
}

// SSOClientIDs are the identity provider's registered clients: the
// reference's default client-id and one for an embedding host.
var SSOClientIDs = []string{"voice-for-browser", "crm-embedding"}

// Seed returns the lab's seeded directory.
func Seed() ([]SeedUser, []Queue, []CallbackList, []SIPEndpoint) {
	personal := func(number, name string) UserRole {
		return UserRole{Name: "personal", Numbers: []UserRoleNumber{{Default: true, DisplayNumber: number, DisplayName: name}}}
	}
	sales := UserRole{Name: "Sales", QueueID: SalesQueueID, Recorded: true, Numbers: []UserRoleNumber{
		{Default: true, DisplayNumber: "+358201000100", DisplayName: "Sales"},
		{Default: false, DisplayNumber: "+358201000101", DisplayName: "Sales campaign"},
	}}
	support := UserRole{Name: "Support", QueueID: SupportQID, Numbers: []UserRoleNumber{
		{Default: true, DisplayNumber: "+358201000200", DisplayName: "Support"},
	}}
	users := []SeedUser{
		{Password: "alice-secret", User: User{ID: AliceID, Username: "alice@voicedesk.lab", FirstName: "Alice", LastName: "Agent",
			Email: "alice@voicedesk.lab", Role: "agent", DisplayName: "Alice Agent", Number: "+358401000001", OutboundUIMode: "V2"},
			SIPUser: "alice", SIPPassword: "alice-sip-7f3a", SSO: true,
			Roles: []UserRole{personal("+358401000001", "Alice Agent"), sales, support}},
		{Password: "bob-secret", User: User{ID: BobID, Username: "bob@voicedesk.lab", FirstName: "Bob", LastName: "Agent",
			Email: "bob@voicedesk.lab", Role: "agent", DisplayName: "Bob Agent", Number: "+358401000002", OutboundUIMode: "V1"},
			SIPUser: "bob", SIPPassword: "bob-sip-91c2",
			Roles: []UserRole{personal("+358401000002", "Bob Agent"), support}},
		{Password: "sara-secret", User: User{ID: SaraID, Username: "sara@voicedesk.lab", FirstName: "Sara", LastName: "Supervisor",
			Email: "sara@voicedesk.lab", Role: "supervisor", DisplayName: "Sara Supervisor", Number: "+358401000003", OutboundUIMode: "V2"},
			SIPUser: "sara", SIPPassword: "sara-sip-44d0", SSO: true,
			Roles: []UserRole{personal("+358401000003", "Sara Supervisor")}},
	}
	queues := []Queue{
		{ID: SalesQueueID, Name: "Sales", Number: "+358201000100", Members: []string{AliceID}, WrapUpTime: 60},
		{ID: SupportQID, Name: "Support", Number: "+358201000200", Members: []string{AliceID, BobID}, WrapUpTime: 30},
	}
	lists := []CallbackList{{ID: CallbackList1, Name: "Web callbacks", QueueID: SalesQueueID, Requests: []CallbackRequest{
		{ID: "a014b3ba-1569-4798-b699-000000000301", Number: "+358401000090", Name: "Tone Phone", Note: "Asked about pricing", Created: "2026-11-24T08:00:00Z"},
		{ID: "a014b3ba-1569-4798-b699-000000000302", Number: "+358401000091", Name: "Caller Phone", Note: "Wants a demo", Created: "2026-11-24T08:05:00Z"},
	}}}
	endpoints := []SIPEndpoint{
		{SIPUser: "tone", SIPPassword: "tone-sip-0a11", Number: "+358401000090", Description: "baresip: answers at once, plays a 1000 Hz tone, records what it hears"},
		{SIPUser: "caller", SIPPassword: "caller-sip-0b22", Number: "+358401000091", Description: "baresip: calls a lab user when told over ctrl_tcp",
			ExtraData: "AUTH.GivenName=Carla&AUTH.FamilyName=Caller&AUTH.Method=bankid"},
		{SIPUser: "early", SIPPassword: "early-sip-0d44", Number: "+358401000092", Description: "baresip: answers with early media (183 with SDP), accepts when told"},
		{SIPUser: "monitor", SIPPassword: "monitor-sip-0e55", Number: "+358401000093", Description: "baresip: the stand-in for the platform's supervision bridge: calls a supervisor when the API starts a supervision (plays 440 Hz, not the agent's call)"},
		{SIPUser: "probe", SIPPassword: "probe-sip-0c33", Number: "+358401000099", Description: "test SIP client used by the lab's own checks"},
	}
	return users, queues, lists, endpoints
}

// UserStatus is a user's current availability (reference:
// PublicUserStatusInterface).
type UserStatus struct {
	EndDate             *string `json:"EndDate"`
	EventSourceCategory string  `json:"EventSourceCategory"`
	EventTypeID         int     `json:"EventTypeID"`
	ID                  string  `json:"Id"`
	Note                string  `json:"Note"`
	PresenceTypeID      int     `json:"PresenceTypeID"`
	StartDate           *string `json:"StartDate"`
	Timestamp           *string `json:"Timestamp"`
	TransferNumber      *string `json:"TransferNumber"`
	WrapUpEnd           *string `json:"WrapUpEnd"`
}

// The availability event types (AvailabilityEventTypeIdEnum). The reference
// names the enum without its values; these follow the platform's states
// (Available, Busy, DND, OffWork, BRB, Away) and are the lab's choice.
const (
	StatusAvailable = 1
	StatusBusy      = 2
	StatusDND       = 3
	StatusOffWork   = 4
	StatusBRB       = 5
	StatusAway      = 6
)
