package fakeapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxBody is Telegram's upload limit for bots (50 MB).
const maxBody = 50 << 20

type upload struct {
	name string
	data []byte
}

// form holds a request's parameters whatever the encoding. Values are
// kept as text: multipart and urlencoded bodies carry JSON objects
// (reply_markup, commands) as strings, so JSON bodies are flattened the
// same way and every method decodes one representation.
type form struct {
	vals  map[string]string
	files map[string]upload
}

func parseForm(r *http.Request) (*form, *apiError) {
	f := &form{vals: map[string]string{}, files: map[string]upload{}}
	for k, v := range r.URL.Query() {
		f.vals[k] = v[0]
	}
	body := bufio.NewReader(http.MaxBytesReader(nil, r.Body, maxBody))
	// go-telegram/bot sends a multipart Content-Type with an empty body
	// for methods without parameters (getMe, getWebhookInfo).
	empty, err := onlySpace(body)
	if err != nil {
		return nil, readError(err)
	}
	if empty {
		return f, nil
	}
	if err := f.decode(r.Header.Get("Content-Type"), body, r.ContentLength); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, readError(err)
		}
		return nil, badRequest("%v", err)
	}
	return f, nil
}

// onlySpace skips the body's leading white space and tells whether
// nothing else follows.
func onlySpace(body *bufio.Reader) (bool, error) {
	for {
		c, err := body.ReadByte()
		if errors.Is(err, io.EOF) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if !asciiSpace(c) {
			return false, body.UnreadByte()
		}
	}
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func readError(error) *apiError {
	return &apiError{Code: http.StatusRequestEntityTooLarge, Description: "Request Entity Too Large"}
}

// decode reads the body as its Content-Type says. A multipart body (an
// uploaded photo) is parsed as it streams in, not read whole first.
func (f *form) decode(contentType string, body io.Reader, length int64) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return errors.New("unsupported Content-Type")
	}
	if mt == "multipart/form-data" {
		return f.decodeMultipart(body, params["boundary"], length)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	switch mt {
	case "application/json":
		return f.decodeJSON(data)
	case "application/x-www-form-urlencoded":
		return f.decodeURLEncoded(data)
	}
	return errors.New("unsupported Content-Type " + mt)
}

// decodeMultipart reads the parts of body; length is the body's size when
// the client said it (else -1), so an upload is read into a slice of the
// right size rather than one grown while reading.
func (f *form) decodeMultipart(body io.Reader, boundary string, length int64) error {
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return multipartError(err)
		}
		buf := bytes.NewBuffer(nil)
		if part.FileName() != "" && length > 0 && length <= maxBody {
			buf.Grow(int(length) + bytes.MinRead) // ReadFrom wants MinRead free before each read
		}
		if _, err := buf.ReadFrom(part); err != nil {
			return multipartError(err)
		}
		data := buf.Bytes()
		if part.FileName() != "" {
			f.files[part.FormName()] = upload{name: part.FileName(), data: data}
			continue
		}
		f.vals[part.FormName()] = string(data)
	}
}

// multipartError keeps a too large body recognisable and words the rest
// as Telegram does.
func multipartError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return errors.New("can't parse multipart body")
}

func (f *form) decodeJSON(body []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return errors.New("can't parse JSON object")
	}
	for k, raw := range obj {
		var str string
		switch {
		case string(raw) == "null":
		case json.Unmarshal(raw, &str) == nil:
			f.vals[k] = str
		default:
			f.vals[k] = string(raw)
		}
	}
	return nil
}

func (f *form) decodeURLEncoded(body []byte) error {
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return errors.New("can't parse urlencoded body")
	}
	for k, v := range q {
		f.vals[k] = v[0]
	}
	return nil
}

func (f *form) str(key string) string { return f.vals[key] }

// int reads an optional integer parameter.
func (f *form) int(key string, def int) (int, *apiError) {
	v, ok := f.vals[key]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, badRequest("invalid %s specified", key)
	}
	return n, nil
}

func (f *form) bool(key string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(f.vals[key]))
	return b
}

// chatID reads chat_id. The fake knows chats only by number; "@username"
// addresses channels, which it does not model, so they are "not found".
func (f *form) chatID() (int64, *apiError) {
	v := strings.TrimSpace(f.vals["chat_id"])
	if v == "" {
		return 0, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id == 0 {
		return 0, badRequest("chat not found")
	}
	return id, nil
}
