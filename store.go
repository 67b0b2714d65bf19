package cardbot

import (
	"context"
	"time"
)

// Store is the database. Every change goes through Update, so state, ledger and the messages a change
// causes are committed together or not at all.
type Store interface {
	// Update runs fn in a read-write transaction and commits it. Concurrent updates may share one commit,
	// so fn can run more than once: it must have no effect outside the transaction except setting
	// variables it owns. Any error from fn rolls back all fn wrote and is returned as it is.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction that sees one consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction. Getters return a NotFound *Error for what does not exist; Create methods assign
// the ID and write the secondary indexes, refusing duplicates with a Conflict *Error; Put methods
// replace a record and keep its indexes in step. Records returned are copies the caller may change.
// Methods of a read-only transaction that write return an error.
type Tx interface {
	// NextSequence returns the next value of a named counter, starting at 1.
	NextSequence(name string) (uint64, error)

	CreateClient(c *Client) error
	PutClient(c *Client) error
	Client(id uint64) (*Client, error)
	// ClientExists reports whether the client is stored, without reading the record.
	ClientExists(id uint64) bool
	ClientByPhone(phone string) (*Client, error) // phone in E.164
	ClientByAddress(a Address) (*Client, error)
	ClientByReferralCode(code string) (*Client, error)
	ClientsByEmail(email string) ([]*Client, error) // every client with the address, any case, by ascending id
	// Clients lists clients by ascending id, starting after the given id.
	Clients(after uint64, limit int) ([]*Client, error)
	// SearchClients finds clients for the admin page, newest first.
	SearchClients(q ClientQuery) (ClientPage, error)

	CreateCard(c *Card) error
	PutCard(c *Card) error
	Card(id uint64) (*Card, error)
	CardByNumber(number string) (*Card, error)
	CardByToken(token string) (*Card, error)
	ClientCards(clientID uint64) ([]*Card, error)

	// AppendOperation adds a ledger entry; a cancel entry also marks the one it reverses, and a second
	// cancel of the same entry is a Conflict.
	AppendOperation(op *Operation) error
	Operation(id uint64) (*Operation, error)
	// CardOperations lists a card's entries newest first, starting below the given id (0: from the newest).
	CardOperations(cardID uint64, before uint64, limit int) ([]*Operation, error)
	// CancelledBy returns the id of the entry that cancelled opID, or 0.
	CancelledBy(opID uint64) (uint64, error)

	// CreateMiniSite assigns the ID and refuses a slug another site has (Conflict) or a bad one (Invalid).
	CreateMiniSite(s *MiniSite) error
	PutMiniSite(s *MiniSite) error
	DeleteMiniSite(id uint64) error
	MiniSite(id uint64) (*MiniSite, error)
	MiniSiteBySlug(slug string) (*MiniSite, error)
	// MiniSites lists every site by ascending id.
	MiniSites() ([]*MiniSite, error)

	// CreateUser assigns the ID and refuses a name another user has (Conflict).
	CreateUser(u *User) error
	PutUser(u *User) error
	UserByName(name string) (*User, error)
	// Users lists every admin page user by ascending id.
	Users() ([]*User, error)
	// PutSession saves a session under its ID; Session returns it (NotFound when there is none).
	PutSession(s *Session) error
	Session(id []byte) (*Session, error)
	DeleteSession(id []byte) error
	// Setting returns a value stored by the admin page under key (nil when none); PutSetting stores
	// one, a nil value deletes it.
	Setting(key string) ([]byte, error)
	PutSetting(key string, value []byte) error

	CreateAPIKey(k *APIKey) error
	APIKeyByHash(hash []byte) (*APIKey, error)
	APIKeys() ([]*APIKey, error)
	// PutAPIKey saves a changed key (NotFound when there is none with its ID).
	PutAPIKey(k *APIKey) error

	// Conversation returns the dialogue at an address (NotFound when there is none yet).
	Conversation(a Address) (*Conversation, error)
	PutConversation(c *Conversation) error
	// SeenUpdate records that a channel's update id was handled and reports whether it already had been.
	SeenUpdate(channel, updateID string, at time.Time) (bool, error)

	// EnqueueMessage adds a message to the outbox (assigns the ID; Status pending unless set).
	EnqueueMessage(m *Message) error
	// PutMessage saves a message's new status, attempts and NextAt.
	PutMessage(m *Message) error
	Message(id uint64) (*Message, error)
	// MessageRecipient reads of a row only whom it is for: ID, ClientID and To; the rest is left zero.
	MessageRecipient(id uint64) (*Message, error)
	// DueMessages lists pending messages whose NextAt is not after until, oldest NextAt first.
	DueMessages(until time.Time, limit int) ([]*Message, error)
	// DueMessageIDs is DueMessages without reading the rows: a sender that already holds most of them
	// loads only the new ones.
	DueMessageIDs(until time.Time, limit int) ([]uint64, error)
	// ClientMessages lists a client's messages newest first, starting below the given id (0: newest).
	ClientMessages(clientID uint64, before uint64, limit int) ([]*Message, error)

	// Idempotent returns the remembered outcome for a key, or nil when there is none.
	Idempotent(key string) (*Idempotent, error)
	PutIdempotent(r *Idempotent) error

	// Automation (store/rating.go, store/automation.go).

	// CreateRating assigns the ID of a visit's rating; a second rating of the same operation is a Conflict.
	CreateRating(r *Rating) error
	PutRating(r *Rating) error
	Rating(id uint64) (*Rating, error)
	RatingByOperation(opID uint64) (*Rating, error)
	// DueRatings lists pending ratings whose DueAt is not after until, oldest DueAt first.
	DueRatings(until time.Time, limit int) ([]*Rating, error)
	// ClientRatings lists a client's ratings newest first, starting below the given id (0: newest).
	ClientRatings(clientID uint64, before uint64, limit int) ([]*Rating, error)
	// Ratings lists ratings by ascending id, starting after the given id (statistics, admin page).
	Ratings(after uint64, limit int) ([]*Rating, error)
	// RatingsNewestFirst lists ratings by descending id, starting below the given id (0: newest).
	RatingsNewestFirst(before uint64, limit int) ([]*Rating, error)
	// Mark returns when something named by key last happened (a greeting, a reward), zero when never;
	// PutMark records it. The automation keeps its "once a year", "once per N days" and "once ever"
	// promises with them.
	Mark(key string) (time.Time, error)
	PutMark(key string, at time.Time) error
	// ReferredClients lists the clients a client brought (ReferredBy), by ascending id.
	ReferredClients(referrerID uint64) ([]*Client, error)
	// Cards lists cards by ascending id, starting after the given id.
	Cards(after uint64, limit int) ([]*Card, error)
	// PruneIdempotency deletes up to limit idempotency records older than before and says how many it
	// deleted; PruneSeenUpdates does the same for the update ids SeenUpdate remembers.
	PruneIdempotency(before time.Time, limit int) (int, error)
	PruneSeenUpdates(before time.Time, limit int) (int, error)
	// PruneSessions deletes up to limit admin sessions that expired before before and says how many.
	PruneSessions(before time.Time, limit int) (int, error)

	BroadcastTx
}
