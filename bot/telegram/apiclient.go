package telegram

import (
	"bytes"
	"io"
	"net/http"
	"time"
)

// apiCallTimeout bounds one Bot API call other than getUpdates (the library's own default).
const apiCallTimeout = time.Minute

// maxIdleAPIConns is how many idle connections to the Bot API are kept for reuse. The dispatcher
// sends from 16 workers at once by default; with http.DefaultTransport's 2 idle connections per host,
// most calls would open (and close) a connection of their own.
const maxIdleAPIConns = 64

// apiTransport is DefaultTransport keeping enough idle connections for the dispatcher's workers,
// with a write buffer a card picture fits in: the request goes out in one write, and net/http does
// not fall back to copying the body through a fresh 32 KB buffer for every picture.
func apiTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = maxIdleAPIConns
	t.MaxIdleConnsPerHost = maxIdleAPIConns
	t.WriteBufferSize = 64 << 10
	return t
}

// bufferedClient is the library's HTTP client, for the calls the adapter does not make itself (getMe,
// setWebhook, setMyCommands, deleteWebhook, answerCallbackQuery; sends go through call.go). The
// library streams every request body (a multipart form) through a pipe, so net/http would send it
// chunked, flushing each piece of the form to the socket on its own. bufferedClient reads the form
// first and sends it with its length in one go, and since the body can be read again (GetBody), a call
// that meets a keep-alive connection the server just closed is retried on a new one instead of failing.
type bufferedClient struct {
	c *http.Client
}

func newBufferedClient(c *http.Client) *bufferedClient { return &bufferedClient{c: c} }

func (b *bufferedClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
		return b.c.Do(req)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.Body, _ = req.GetBody()
	if len(body) == 0 {
		req.Body = http.NoBody
	}
	return b.c.Do(req)
}
