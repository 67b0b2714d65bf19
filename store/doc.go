// Package store is the bbolt database behind cardbot.Store and cardbot.Tx.
//
// Every record is a versioned JSON value under an 8-byte big-endian id taken from its bucket's
// sequence. Secondary indexes are buckets of their own, written in the same transaction as the record
// they point at. Writes go through one writer goroutine that groups concurrent Updates into a single
// bolt transaction, so many callers share one fsync (see writer.go).
//
// Layout (bucket: key → value):
//
//	meta:                "schema_version" → uint64
//	clients, cards, ops, apikeys: id → JSON record with "v"
//	idempotency:         caller's key → JSON record with "v"
//	sequences:           counter name → uint64 (Tx.NextSequence)
//	idx_client_phone:    E.164 phone → client id
//	idx_client_address:  Address.Key() → client id
//	idx_card_number:     card number → card id
//	idx_card_token:      card token → card id
//	idx_client_cards:    client id | card id → empty
//	idx_card_ops:        card id | operation id → empty
//	idx_op_cancelled_by: operation id → id of the cancel that reversed it
//	idx_apikey_hash:     SHA-256 of the key → API key id
package store
