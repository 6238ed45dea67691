// Package evidence keeps the files attached to ledger entries (佐证材料):
// content-addressed by SHA-256, outside any directory the web server serves,
// behind a small interface so that S3-compatible storage can replace the
// local directory when several instances share the load.
package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"

	"seedling/internal/seedling"
)

// DefaultMaxBytes is the default size limit of one file.
const DefaultMaxBytes = 20 << 20

// Info is what storing a file learned about it.
type Info struct {
	SHA256 string // lower-case hex
	Size   int64
}

// Store keeps files by the SHA-256 of their content. Put stores a stream,
// refusing it once it exceeds maxBytes; storing the same content twice keeps
// one copy. Open returns the content stored under a hash.
type Store interface {
	Put(ctx context.Context, r io.Reader, maxBytes int64) (Info, error)
	Open(ctx context.Context, sha string) (io.ReadCloser, error)
}

// Dir is a Store in a local directory: each file at <root>/<aa>/<sha256>,
// written to a temporary file first and renamed into place, so a reader
// never sees half a file and a crash leaves no wrong one.
type Dir struct{ root string }

// NewDir returns a store rooted at dir; the directory is made on first use.
func NewDir(dir string) *Dir { return &Dir{root: dir} }

// Root is the directory the store writes to.
func (d *Dir) Root() string { return d.root }

// Put streams r into the store, hashing as it goes, and refuses the file
// with ETooLarge as soon as it grows past maxBytes.
func (d *Dir) Put(ctx context.Context, r io.Reader, maxBytes int64) (Info, error) {
	if err := os.MkdirAll(d.root, 0o750); err != nil {
		return Info{}, fmt.Errorf("evidence store: %w", err)
	}
	tmp, err := os.CreateTemp(d.root, ".upload-*")
	if err != nil {
		return Info{}, fmt.Errorf("evidence store: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(readerCtx{ctx, r}, maxBytes+1))
	if err == nil && n > maxBytes {
		err = TooLarge(maxBytes)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Info{}, err
	}
	info := Info{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	final := d.path(info.SHA256)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return Info{}, fmt.Errorf("evidence store: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return Info{}, fmt.Errorf("evidence store: %w", err)
	}
	return info, nil
}

// Open returns the content stored under sha.
func (d *Dir) Open(_ context.Context, sha string) (io.ReadCloser, error) {
	if !ValidSHA256(sha) {
		return nil, seedling.NotFound()
	}
	f, err := os.Open(d.path(sha))
	if errors.Is(err, os.ErrNotExist) {
		return nil, seedling.Errorf(seedling.ENotFound, "the file is missing from the evidence store").Keyed("problem.evidence_missing")
	}
	return f, err
}

func (d *Dir) path(sha string) string { return filepath.Join(d.root, sha[:2], sha) }

// ValidSHA256 reports whether s is a lower-case hex SHA-256.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// TooLarge is the error of a file over the limit.
func TooLarge(maxBytes int64) error {
	return &seedling.Error{Code: seedling.ETooLarge, Message: fmt.Sprintf("the file is larger than %d MiB", maxBytes>>20),
		Fields: map[string]string{"file": fmt.Sprintf("larger than %d MiB", maxBytes>>20)}}
}

// readerCtx stops a long copy when the request is gone.
type readerCtx struct {
	ctx context.Context
	r   io.Reader
}

func (r readerCtx) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// Allowed are the types a piece of evidence may have: photos, PDFs and
// office documents. Anything else — an executable, a script, an archive,
// HTML that a browser would run — is refused whatever its name says.
var Allowed = map[string]string{
	"image/jpeg":                    ".jpg",
	"image/png":                     ".png",
	"application/pdf":               ".pdf",
	"application/msword":            ".doc",
	"application/vnd.ms-excel":      ".xls",
	"application/vnd.ms-powerpoint": ".ppt",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   ".docx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         ".xlsx",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}

// sniffBytes is how much of the head the detector looks at.
const sniffBytes = 4096

// Sniff decides a file's type from its first bytes, never from its name.
// It returns the canonical MIME type and whether it is allowed.
func Sniff(head []byte) (string, bool) {
	m := mimetype.Detect(head)
	for t := range Allowed {
		if m.Is(t) {
			return t, true
		}
	}
	return m.String(), false
}

// Accept reads the head of r, decides its type and refuses anything not in
// Allowed with EUnsupported (415). On success the returned reader yields
// the whole stream, head included.
func Accept(r io.Reader) (contentType string, body io.Reader, err error) {
	head := make([]byte, sniffBytes)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "", nil, err
	}
	head = head[:n]
	if n == 0 {
		return "", nil, &seedling.Error{Code: seedling.EInvalid, Message: "the file is empty", Fields: map[string]string{"file": "empty"}}
	}
	ct, ok := Sniff(head)
	if !ok {
		return "", nil, &seedling.Error{Code: seedling.EUnsupported,
			Message: "evidence must be a JPEG or PNG photo, a PDF or an office document; this file is " + ct,
			Fields:  map[string]string{"file": "type " + ct + " is not accepted"}}
	}
	return ct, io.MultiReader(bytes.NewReader(head), r), nil
}

// CleanName keeps a client's file name fit for a download header and a
// page: the base name only, one line, at most 200 characters. The name is
// for people; the type is the sniffed one, whatever the name says.
func CleanName(name, contentType string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimSpace(name)
	for utf8.RuneCountInString(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		name = "evidence" + Allowed[contentType]
	}
	return name
}
