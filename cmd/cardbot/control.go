package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"cardbot"
	"cardbot/admin"
	"cardbot/store"
)

// The control socket lets `cardbot apikey create` and `cardbot backup` work while the service runs:
// bbolt allows one process per database file, so these commands ask the running service to do the
// work. The socket lives in the data directory with mode 0600: whoever may read the database may use it.

func socketPath(dataDir string) string { return filepath.Join(dataDir, "cardbot.sock") }

type controlServer struct {
	srv  *http.Server
	path string
}

type apikeyRequest struct {
	Name string `json:"name"`
}

type apikeyAnswer struct {
	Key string `json:"key"`
}

type backupRequest struct {
	Path string `json:"path"`
}

type controlError struct {
	Error string `json:"error"`
}

func startControl(cfg cardbot.Config, db *store.DB, clock cardbot.Clock, log *slog.Logger) (*controlServer, error) {
	path := socketPath(cfg.DataDir)
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /apikeys", controlCall(func(ctx context.Context, req apikeyRequest) (any, error) {
		key, err := admin.CreateAPIKey(ctx, db, req.Name, clock.Now())
		return apikeyAnswer{Key: key}, err
	}))
	mux.HandleFunc("POST /apikeys/list", func(w http.ResponseWriter, r *http.Request) {
		keys, err := admin.APIKeys(r.Context(), db)
		writeControl(w, apikeyListAnswer{Keys: keys}, err)
	})
	mux.HandleFunc("POST /apikeys/revoke", controlCall(func(ctx context.Context, req apikeyRevokeRequest) (any, error) {
		key, err := admin.RevokeAPIKey(ctx, db, req.Which, clock.Now())
		return apikeyRevokeAnswer{Key: key}, err
	}))
	mux.HandleFunc("POST /users", controlCall(func(ctx context.Context, req userRequest) (any, error) {
		created, err := admin.CreateUser(ctx, db, cfg, req.Name, req.Password, req.Role, clock.Now())
		return userAnswer{Created: created}, err
	}))
	mux.HandleFunc("POST /backup", controlCall(func(_ context.Context, req backupRequest) (any, error) {
		return struct{}{}, db.BackupFile(req.Path)
	}))
	c := &controlServer{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, path: path}
	go func() {
		if err := c.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("control socket", "err", err)
		}
	}()
	return c, nil
}

// removeStaleSocket deletes a socket left by a process that died, and refuses to steal one in use.
func removeStaleSocket(path string) error {
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	if conn, err := net.DialTimeout("unix", path, time.Second); err == nil {
		conn.Close()
		return fmt.Errorf("another cardbot is already running with this data directory (%s)", path)
	}
	return os.Remove(path)
}

// controlCall is an endpoint of the control socket: it reads the request as JSON, runs fn and answers
// with what fn returns.
func controlCall[Req any](fn func(ctx context.Context, req Req) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
			writeControl(w, nil, err)
			return
		}
		answer, err := fn(r.Context(), req)
		writeControl(w, answer, err)
	}
}

func writeControl(w http.ResponseWriter, answer any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(controlError{Error: err.Error()})
		return
	}
	json.NewEncoder(w).Encode(answer)
}

func (c *controlServer) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.srv.Shutdown(ctx)
	os.Remove(c.path)
}

// errNoServer means no service answers on the control socket, so the command may open the database itself.
var errNoServer = errors.New("no running cardbot")

// callControl sends one request to the running service.
func callControl(ctx context.Context, dataDir, path string, request, answer any) error {
	sock := socketPath(dataDir)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "unix", sock)
		},
	}, Timeout: 5 * time.Minute}
	body, err := json.Marshal(request)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://cardbot"+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return errNoServer
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var ce controlError
		json.NewDecoder(resp.Body).Decode(&ce)
		return errors.New(ce.Error)
	}
	return json.NewDecoder(resp.Body).Decode(answer)
}
