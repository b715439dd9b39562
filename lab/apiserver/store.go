package apiserver

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/bcrypt"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

var (
	bucketUsers     = []byte("users")
	bucketUsernames = []byte("usernames")
	bucketQueues    = []byte("queues")
	bucketCallbacks = []byte("callbacklists")
	bucketSIP       = []byte("sipendpoints")
	bucketSecrets   = []byte("secrets")
	bucketTokens    = []byte("tokens")
	bucketMeta      = []byte("meta")
)

// storedUser keeps the fields the wire type hides.
type storedUser struct {
	User
	PasswordHash []byte     `json:"passwordHash"`
	SIPUser      string     `json:"sipUser"`
	SIPPassword  string     `json:"sipPassword"`
	Roles        []UserRole `json:"roles"`
	// Selected role (its queue id, "" personal) and display number.
	RoleQueueID string `json:"roleQueueId"`
	RoleNumber  string `json:"roleNumber"`
	// Status is the current availability; nil is Available (as the
	// platform treats a user with no availability event).
	Status *UserStatus `json:"status,omitempty"`
}

type storedSIP struct {
	SIPEndpoint
	SIPPassword string `json:"sipPassword"`
}

// Store is the lab's state in a bbolt file, so that logins (secret keys) and
// later changes survive a restart of the lab.
type Store struct {
	db *bolt.DB
}

// OpenStore opens (creating if needed) the store at path and seeds it once.
func OpenStore(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open lab store %s: %w", path, err)
	}
	s := &Store{db: db}
	if err := s.seed(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("seed lab store: %w", err)
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) seed() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketUsers, bucketUsernames, bucketQueues, bucketCallbacks, bucketSIP, bucketSecrets, bucketTokens, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		users, queues, lists, endpoints := Seed()
		// The queues are the lab's configuration, not its state: written at
		// every start, so a lab.db seeded before a field was added (the
		// wrap-up time) gets it.
		for _, q := range queues {
			if err := putJSON(tx.Bucket(bucketQueues), q.ID, q); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if meta.Get([]byte("seeded")) != nil {
			return nil
		}
		for _, u := range users {
			// A low cost keeps the lab's start-up fast; these are lab passwords.
			hash, err := bcrypt.GenerateFromPassword([]byte(u.Password), bcrypt.MinCost)
			if err != nil {
				return err
			}
			su := storedUser{User: u.User, PasswordHash: hash, SIPUser: u.SIPUser, SIPPassword: u.SIPPassword, Roles: u.Roles}
			if err := putJSON(tx.Bucket(bucketUsers), u.ID, su); err != nil {
				return err
			}
			if err := tx.Bucket(bucketUsernames).Put([]byte(strings.ToLower(u.Username)), []byte(u.ID)); err != nil {
				return err
			}
		}
		for _, l := range lists {
			if err := putJSON(tx.Bucket(bucketCallbacks), l.ID, l); err != nil {
				return err
			}
		}
		for _, e := range endpoints {
			if err := putJSON(tx.Bucket(bucketSIP), e.SIPUser, storedSIP{SIPEndpoint: e, SIPPassword: e.SIPPassword}); err != nil {
				return err
			}
		}
		return meta.Put([]byte("seeded"), []byte(time.Now().UTC().Format(time.RFC3339)))
	})
}

func putJSON(b *bolt.Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), data)
}

func getJSON(b *bolt.Bucket, key string, v any) error {
	data := b.Get([]byte(key))
	if data == nil {
		return ErrNotFound
	}
	return json.Unmarshal(data, v)
}

func (s *Store) userByID(id string) (storedUser, error) {
	var u storedUser
	err := s.db.View(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketUsers), id, &u) })
	return u, err
}

// updateUser applies change to the stored user.
func (s *Store) updateUser(id string, change func(*storedUser) error) (storedUser, error) {
	var u storedUser
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		if err := getJSON(b, id, &u); err != nil {
			return err
		}
		if err := change(&u); err != nil {
			return err
		}
		return putJSON(b, id, u)
	})
	return u, err
}

// UserByUsername looks a user up by login name, case-insensitively.
func (s *Store) userByUsername(username string) (storedUser, error) {
	var u storedUser
	err := s.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketUsernames).Get([]byte(strings.ToLower(strings.TrimSpace(username))))
		if id == nil {
			return ErrNotFound
		}
		return getJSON(tx.Bucket(bucketUsers), string(id), &u)
	})
	return u, err
}

// CheckPassword returns the user when the password matches.
func (s *Store) checkPassword(username, password string) (storedUser, error) {
	u, err := s.userByUsername(username)
	if err != nil {
		return storedUser{}, err
	}
	if bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(password)) != nil {
		return storedUser{}, errBadPassword
	}
	return u, nil
}

var errBadPassword = errors.New("bad password")

// IssueSecret creates a secret key for the user and stores it.
func (s *Store) issueSecret(userID string) (string, error) {
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	key := hex.EncodeToString(buf)
	err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSecrets).Put([]byte(key), []byte(userID)) })
	return key, err
}

// userBySecret returns the user the secret key was issued to.
func (s *Store) userBySecret(key string) (storedUser, error) {
	var id []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketSecrets).Get([]byte(key)); v != nil {
			id = append([]byte(nil), v...)
			return nil
		}
		return ErrNotFound
	})
	if err != nil {
		return storedUser{}, err
	}
	return s.userByID(string(id))
}

// storedToken is an impersonation token's owner and end.
type storedToken struct {
	UserID  string    `json:"userId"`
	Expires time.Time `json:"expires"`
}

// errTokenExpired is userByToken's error for a token past its end.
var errTokenExpired = errors.New("token expired")

// issueToken creates an impersonation token for the user, valid for ttl.
func (s *Store) issueToken(userID string, ttl time.Duration, now time.Time) (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(buf)
	err := s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketTokens), tok, storedToken{UserID: userID, Expires: now.Add(ttl)})
	})
	return tok, err
}

// userByToken returns the user an impersonation token stands for.
func (s *Store) userByToken(tok string, now time.Time) (storedUser, error) {
	var t storedToken
	if err := s.db.View(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketTokens), tok, &t) }); err != nil {
		return storedUser{}, err
	}
	if !now.Before(t.Expires) {
		return storedUser{}, errTokenExpired
	}
	return s.userByID(t.UserID)
}

func listJSON[T any](s *Store, bucket []byte) ([]T, error) {
	var out []T
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(_, v []byte) error {
			var item T
			if err := json.Unmarshal(v, &item); err != nil {
				return err
			}
			out = append(out, item)
			return nil
		})
	})
	return out, err
}

// SIPAccount is a SIP user name and password the registrar must accept.
type SIPAccount struct {
	User, Password, Number string
}

// SIPAccounts lists every SIP account: the users' and the far-end phones'.
// The lab's orchestrator writes them into Kamailio's configuration.
func (s *Store) SIPAccounts() ([]SIPAccount, error) {
	users, err := listJSON[storedUser](s, bucketUsers)
	if err != nil {
		return nil, err
	}
	eps, err := listJSON[storedSIP](s, bucketSIP)
	if err != nil {
		return nil, err
	}
	var out []SIPAccount
	for _, u := range users {
		out = append(out, SIPAccount{User: u.SIPUser, Password: u.SIPPassword, Number: u.Number})
	}
	for _, e := range eps {
		out = append(out, SIPAccount{User: e.SIPUser, Password: e.SIPPassword, Number: e.Number})
	}
	return out, nil
}

// Routing is what the registrar needs to route service calls: the SIP
// accounts, the queues (their number, name and members' SIP users), which
// caller ids (CLIs) each SIP user may present, and the open callback
// requests (list:request -> the list's queue).
type Routing struct {
	Accounts  []SIPAccount
	Queues    []QueueRoute
	CLIs      []CLIGrant
	Callbacks []CallbackRoute
	// Extra is the extra data (strong authentication) of callers, added to
	// their calls to a queue.
	Extra []CallerExtra
}

// CallerExtra is a caller's extra data, form-encoded.
type CallerExtra struct{ User, Data string }

// QueueRoute is a queue as the registrar sees it.
type QueueRoute struct {
	ID, Name, Number string
	// WrapUpTime is the queue's wrap-up time in seconds (0: none).
	WrapUpTime int
	// Members are the SIP users of the queue's agents, in order; a call to
	// the queue's number goes to the first (the lab has no queue engine).
	Members []string
}

// CLIGrant lets a SIP user present Number as the caller id of a call.
type CLIGrant struct{ User, Number string }

// CallbackRoute is an open callback request and the queue of its list.
type CallbackRoute struct{ ListID, RequestID, QueueID string }

// Routing reads the registrar's routing data from the store. A user may
// present their own number and the display numbers of their roles.
func (s *Store) Routing() (Routing, error) {
	accounts, err := s.SIPAccounts()
	if err != nil {
		return Routing{}, err
	}
	users, err := listJSON[storedUser](s, bucketUsers)
	if err != nil {
		return Routing{}, err
	}
	queues, err := listJSON[Queue](s, bucketQueues)
	if err != nil {
		return Routing{}, err
	}
	lists, err := listJSON[CallbackList](s, bucketCallbacks)
	if err != nil {
		return Routing{}, err
	}
	sipUser := map[string]string{}
	r := Routing{Accounts: accounts}
	for _, u := range users {
		sipUser[u.ID] = u.SIPUser
		seen := map[string]bool{u.Number: true}
		r.CLIs = append(r.CLIs, CLIGrant{u.SIPUser, u.Number})
		for _, role := range u.Roles {
			for _, n := range role.Numbers {
				if !seen[n.DisplayNumber] {
					seen[n.DisplayNumber] = true
					r.CLIs = append(r.CLIs, CLIGrant{u.SIPUser, n.DisplayNumber})
				}
			}
		}
	}
	for _, q := range queues {
		qr := QueueRoute{ID: q.ID, Name: q.Name, Number: q.Number, WrapUpTime: q.WrapUpTime}
		for _, m := range q.Members {
			if su := sipUser[m]; su != "" {
				qr.Members = append(qr.Members, su)
			}
		}
		r.Queues = append(r.Queues, qr)
	}
	eps, err := listJSON[storedSIP](s, bucketSIP)
	if err != nil {
		return Routing{}, err
	}
	for _, e := range eps {
		if e.ExtraData != "" {
			r.Extra = append(r.Extra, CallerExtra{User: e.SIPUser, Data: e.ExtraData})
		}
	}
	for _, l := range lists {
		for _, req := range l.Requests {
			if !req.Resolved {
				r.Callbacks = append(r.Callbacks, CallbackRoute{ListID: l.ID, RequestID: req.ID, QueueID: l.QueueID})
			}
		}
	}
	return r, nil
}

// newID is a random UUID-shaped id.
func newID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}
