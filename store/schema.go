package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the database layout this binary reads and writes. Raise it together with a new entry
// in migrations.
const SchemaVersion = 3

// recordVersion is the shape of the JSON records written now, kept in each record's "v" so a migration
// can tell old shapes from new ones.
const recordVersion = 1

const (
	bucketMeta        = "meta"
	bucketClients     = "clients"
	bucketCards       = "cards"
	bucketOps         = "ops"
	bucketAPIKeys     = "apikeys"
	bucketIdempotency = "idempotency"
	bucketSequences   = "sequences"
	// Buckets added after version 1 are created on open (see upgrade): new buckets need no migration.
	bucketConversations = "conversations"
	bucketUpdates       = "updates_seen"
	bucketMessages      = "messages"
	bucketMiniSites     = "minisites"
	bucketUsers         = "users"
	bucketSessions      = "sessions"
	bucketSettings      = "settings"

	idxClientPhone    = "idx_client_phone"
	idxClientAddress  = "idx_client_address"
	idxCardNumber     = "idx_card_number"
	idxCardToken      = "idx_card_token"
	idxClientCards    = "idx_client_cards"
	idxCardOps        = "idx_card_ops"
	idxOpCancelledBy  = "idx_op_cancelled_by"
	idxAPIKeyHash     = "idx_apikey_hash"
	idxMessagesDue    = "idx_messages_due"
	idxClientMessages = "idx_client_messages"
	idxClientReferral = "idx_client_referral"
	idxMiniSiteSlug   = "idx_minisite_slug"
	idxUserName       = "idx_user_name"
	// The search indexes (searchindex.go), from schema version 2: built for existing data by a migration.
	idxClientWords    = "idx_client_words"
	idxClientActivity = "idx_client_activity"
	idxCardDigits     = "idx_card_digits"
	idxProgramClients = "idx_program_clients"
	idxClientNational = "idx_client_national" // from schema version 3, built by its migration

	keySchemaVersion = "schema_version"

	// Automation: ratings per visit, marks of what was sent once, friends by referrer.
	bucketRatings     = "ratings"
	bucketMarks       = "automation_marks"
	idxRatingsDue     = "idx_ratings_due"
	idxRatingOp       = "idx_rating_op"
	idxClientRatings  = "idx_client_ratings"
	idxClientReferred = "idx_client_referred"
)

// bucketNames lists every bucket of the current schema.
func bucketNames() []string {
	return []string{
		bucketMeta, bucketClients, bucketCards, bucketOps, bucketAPIKeys, bucketIdempotency, bucketSequences,
		idxClientPhone, idxClientAddress, idxCardNumber, idxCardToken, idxClientCards, idxCardOps,
		idxOpCancelledBy, idxAPIKeyHash, bucketConversations, bucketUpdates, bucketMessages,
		idxMessagesDue, idxClientMessages, idxClientReferral,
		bucketMiniSites, idxMiniSiteSlug,
		bucketRatings, bucketMarks, idxRatingsDue, idxRatingOp, idxClientRatings, idxClientReferred,
		bucketUsers, idxUserName, bucketSessions, bucketSettings,
		idxClientWords, idxClientActivity, idxCardDigits, idxProgramClients,
		bucketBroadcasts, bucketBroadcastImages, bucketRecipients, idxOpenRecipients,
		idxClientEmail,
		idxClientNational,
	}
}

// migration upgrades a database by one schema version inside one bolt transaction.
type migration func(btx *bolt.Tx) error

// migrations returns the upgrade steps: element i takes a database from version i+1 to i+2. Only ever
// append: every step has already run on somebody's data.
func migrations() []migration {
	return []migration{
		buildSearchIndexes, // 1 → 2: the client search indexes
		buildNationalIndex, // 2 → 3: phones by their national number
	}
}

// schema is the target a database is brought to on Open. Tests build their own to inject migrations.
type schema struct {
	version    uint64
	migrations []migration
}

func currentSchema() schema {
	return schema{version: SchemaVersion, migrations: migrations()}
}

// dbState is what upgrade learns about a file before deciding what to write.
type dbState struct {
	version  uint64 // 0 when the file has no schema version
	empty    bool   // no buckets at all: a new database
	complete bool   // every bucket of the current schema exists
}

// upgrade brings the file to s: it initialises a new database, runs the missing migrations of an older
// one, and refuses a newer one or a foreign one without writing anything.
func upgrade(bdb *bolt.DB, s schema) error {
	if len(s.migrations) != int(s.version)-1 {
		return fmt.Errorf("store: schema version %d needs %d migrations, have %d", s.version, s.version-1, len(s.migrations))
	}
	st, err := inspect(bdb)
	if err != nil {
		return err
	}
	switch {
	case st.version > s.version:
		return fmt.Errorf("database schema version %d is newer than this cardbot understands (%d): upgrade cardbot or restore a backup", st.version, s.version)
	case st.version == 0 && !st.empty:
		return fmt.Errorf("the file holds a bolt database without a cardbot schema version: not a cardbot database")
	case st.version == 0:
		return bdb.Update(func(btx *bolt.Tx) error { return initSchema(btx, s.version) })
	}
	for v := st.version; v < s.version; v++ {
		if err := runMigration(bdb, s.migrations[v-1], v+1); err != nil {
			return err
		}
	}
	if st.version == s.version && st.complete {
		return nil // the usual case: open without writing
	}
	return bdb.Update(createBuckets)
}

func inspect(bdb *bolt.DB) (dbState, error) {
	var st dbState
	err := bdb.View(func(btx *bolt.Tx) error {
		first, _ := btx.Cursor().First()
		st.empty = first == nil
		st.complete = true
		for _, name := range bucketNames() {
			if btx.Bucket([]byte(name)) == nil {
				st.complete = false
			}
		}
		v, err := readVersion(btx)
		st.version = v
		return err
	})
	return st, err
}

func readVersion(btx *bolt.Tx) (uint64, error) {
	meta := btx.Bucket([]byte(bucketMeta))
	if meta == nil {
		return 0, nil
	}
	raw := meta.Get([]byte(keySchemaVersion))
	if raw == nil {
		return 0, nil
	}
	if len(raw) != 8 {
		return 0, fmt.Errorf("store: schema version is %d bytes long, want 8", len(raw))
	}
	return binary.BigEndian.Uint64(raw), nil
}

func writeVersion(btx *bolt.Tx, version uint64) error {
	meta, err := btx.CreateBucketIfNotExists([]byte(bucketMeta))
	if err != nil {
		return err
	}
	return meta.Put([]byte(keySchemaVersion), idKey(version))
}

func createBuckets(btx *bolt.Tx) error {
	fills := indexFills()
	for _, name := range bucketNames() {
		fresh := btx.Bucket([]byte(name)) == nil
		if _, err := btx.CreateBucketIfNotExists([]byte(name)); err != nil {
			return fmt.Errorf("store: create bucket %s: %w", name, err)
		}
		if fill := fills[name]; fresh && fill != nil {
			if err := fill(btx); err != nil {
				return fmt.Errorf("store: fill index %s: %w", name, err)
			}
		}
	}
	return nil
}

func initSchema(btx *bolt.Tx, version uint64) error {
	if err := createBuckets(btx); err != nil {
		return err
	}
	return writeVersion(btx, version)
}

// runMigration applies one step and records the version it reached in the same transaction, so a step
// either happened and is recorded or did not happen at all, and never runs twice.
func runMigration(bdb *bolt.DB, step migration, to uint64) error {
	err := bdb.Update(func(btx *bolt.Tx) error {
		if err := step(btx); err != nil {
			return err
		}
		return writeVersion(btx, to)
	})
	if err != nil {
		return fmt.Errorf("store: migrate to schema version %d: %w", to, err)
	}
	return nil
}
