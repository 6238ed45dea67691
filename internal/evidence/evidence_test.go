package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"seedling/internal/seedling"
)

func TestDirStoresByHashAndKeepsOneCopy(t *testing.T) {
	ctx := context.Background()
	d := NewDir(filepath.Join(t.TempDir(), "evidence"))
	content := []byte("%PDF-1.4 a scanned certificate")
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	for i := 0; i < 2; i++ {
		info, err := d.Put(ctx, bytes.NewReader(content), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if info.SHA256 != want || info.Size != int64(len(content)) {
			t.Fatalf("info %+v", info)
		}
	}
	files := listFiles(t, d.Root())
	if len(files) != 1 || files[0] != filepath.Join(want[:2], want) {
		t.Fatalf("files %v", files)
	}
	r, err := d.Open(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, content) {
		t.Fatal("content differs")
	}
	for _, bad := range []string{strings.Repeat("0", 64), "../../etc/passwd", strings.ToUpper(want)} {
		if _, err := d.Open(ctx, bad); seedling.ErrorCode(err) != seedling.ENotFound {
			t.Errorf("Open(%q) = %v", bad, err)
		}
	}
}

// The limit holds while the stream is copied: an oversized stream is
// refused, whatever it announced, and leaves nothing behind.
func TestDirRefusesOversizedStreamsAndLeavesNothing(t *testing.T) {
	d := NewDir(t.TempDir())
	_, err := d.Put(context.Background(), io.LimitReader(zeros{}, 5000), 4096)
	if seedling.ErrorCode(err) != seedling.ETooLarge {
		t.Fatalf("err %v", err)
	}
	if files := listFiles(t, d.Root()); len(files) != 0 {
		t.Fatalf("left behind: %v", files)
	}
	if _, err := d.Put(context.Background(), io.LimitReader(zeros{}, 4096), 4096); err != nil {
		t.Fatalf("exactly at the limit: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func listFiles(t *testing.T, root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func officeZip(t *testing.T, dir string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", dir + "/document.xml"} {
		w, _ := z.Create(name)
		w.Write([]byte("<?xml version=\"1.0\"?><x/>"))
	}
	z.Close()
	return b.Bytes()
}

// The type comes from the content: a renamed program is refused, a real
// photo, PDF or office document accepted.
func TestAcceptSniffsTheContent(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string // "" = refused
	}{
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "application/pdf"},
		{"docx", officeZip(t, "word"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"xlsx", officeZip(t, "xl"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"windows program", append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), make([]byte, 100)...), ""},
		{"linux program", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 100)...), ""},
		{"html", []byte("<!DOCTYPE html><html><script>alert(1)</script>"), ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), ""},
		{"plain zip", func() []byte {
			var b bytes.Buffer
			z := zip.NewWriter(&b)
			w, _ := z.Create("payload.exe")
			w.Write([]byte("MZ"))
			z.Close()
			return b.Bytes()
		}(), ""},
	}
	for _, c := range cases {
		ct, body, err := Accept(bytes.NewReader(c.data))
		if c.want == "" {
			if seedling.ErrorCode(err) != seedling.EUnsupported {
				t.Errorf("%s: accepted as %s (%v)", c.name, ct, err)
			}
			continue
		}
		if err != nil || ct != c.want {
			t.Errorf("%s: %q %v", c.name, ct, err)
			continue
		}
		all, _ := io.ReadAll(body)
		if !bytes.Equal(all, c.data) {
			t.Errorf("%s: the stream lost its head", c.name)
		}
	}
	if _, _, err := Accept(bytes.NewReader(nil)); seedling.ErrorCode(err) != seedling.EInvalid {
		t.Errorf("empty: %v", err)
	}
}

func TestCleanName(t *testing.T) {
	cases := map[string]string{
		"照片.jpg":                 "照片.jpg",
		`C:\Users\张\证书.pdf`:      "证书.pdf",
		"../../etc/passwd":       "passwd",
		"a\r\nb\".jpg":           "ab.jpg",
		"":                       "evidence.jpg",
		strings.Repeat("长", 300): strings.Repeat("长", 200),
	}
	for in, want := range cases {
		if got := CleanName(in, "image/jpeg"); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}
