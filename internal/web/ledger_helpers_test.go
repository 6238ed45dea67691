package web

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"seedling/internal/evidence"
	"seedling/internal/seedling"
)

// Sample files for uploads: real images made by the standard library, a
// small PDF, and executables that must be refused whatever they are called.
var (
	jpegBytes = func() []byte {
		img := image.NewRGBA(image.Rect(0, 0, 8, 8))
		img.Set(1, 1, color.RGBA{200, 30, 30, 255})
		var b bytes.Buffer
		jpeg.Encode(&b, img, nil)
		return b.Bytes()
	}()
	pngBytes = func() []byte {
		var b bytes.Buffer
		png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)))
		return b.Bytes()
	}()
	pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	elfBytes = append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 120)...)
	exeBytes = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 200)...)
)

// upload sends a multipart form the way a browser or a client does, with a
// bearer token or, for pages, the session cookie and its CSRF token.
func (a *testApp) upload(path, token string, cookie bool, fields map[string]string, fileField, fileName string, file []byte) response {
	a.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := w.CreateFormFile(fileField, fileName)
		fw.Write(file)
	}
	w.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if cookie {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		sess, err := a.db.Sessions().Lookup(a.t.Context(), token)
		if err != nil {
			a.t.Fatal(err)
		}
		req.Header.Set("X-CSRF-Token", sess.CSRF)
	} else if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := a.srv.App.Test(req, -1)
	if err != nil {
		a.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: out}
}

// page fetches a page with the session cookie, as a browser would.
func (a *testApp) page(path, token string) response {
	a.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	res, err := a.srv.App.Test(req, -1)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: out}
}

func fieldErrors(t testing.TB, r response) map[string]string {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("not an error body: %s", r.Body)
	}
	return e.Error.Fields
}

// storeDir is the test server's evidence directory.
func (a *testApp) storeDir() string { return a.srv.evidence.(*evidence.Dir).Root() }

func mustDate(s string) time.Time {
	t, err := seedling.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}
