package telegram

import (
	"bytes"
	"io"
	"net/http"
	"sync"
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

// bufferedClient is the library's HTTP client. The library streams every request body (a multipart
// form) through a pipe, so net/http sends it chunked, flushing each piece of the form to the socket
// on its own: a card picture took a dozen small writes. bufferedClient reads the form first and sends
// it with its length in one go, and since the body can be read again (GetBody), a call that meets a
// keep-alive connection the server just closed is retried on a new one instead of failing.
type bufferedClient struct {
	c *http.Client
	// scratch holds buffers the forms are read into, so that reading one allocates only its own size
	// (read straight into a growing slice, a card picture's form allocated several times its size).
	scratch sync.Pool
}

// maxScratch is the largest buffer kept for reuse: more than a card picture's form, well below what
// a rare big upload (the Bot API takes up to 50 MB) would leave pinned.
const maxScratch = 1 << 20

func newBufferedClient(c *http.Client) *bufferedClient {
	return &bufferedClient{c: c, scratch: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
}

func (b *bufferedClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
		return b.c.Do(req)
	}
	body, err := b.read(req.Body)
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

// read returns all of r in a slice of its own, and closes r.
func (b *bufferedClient) read(r io.ReadCloser) ([]byte, error) {
	defer r.Close()
	buf := b.scratch.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(r)
	body := bytes.Clone(buf.Bytes())
	if buf.Cap() <= maxScratch {
		b.scratch.Put(buf)
	}
	return body, err
}
