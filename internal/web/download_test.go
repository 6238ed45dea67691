package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// streamApp serves one streamed download whose body produce writes.
func streamApp(t *testing.T, produce func(ctx context.Context, w io.Writer) error) string {
	t.Helper()
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/file", func(c *fiber.Ctx) error { return s.sendStream(c, "application/octet-stream", "f.bin", produce) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	return "http://" + ln.Addr().String() + "/file"
}

// A download that fails before its first byte is answered with the
// error's status; one that fails after it is cut short, so the client
// sees a broken transfer instead of a file that looks whole; a complete one
// arrives whole.
func TestStreamedDownloadFailures(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	big := bytes.Repeat([]byte("x"), 256<<10) // past the 64 KB buffer: the body has begun
	cases := []struct {
		name    string
		produce func(context.Context, io.Writer) error
		status  int
		whole   bool
	}{
		{"fails before the first byte", func(_ context.Context, w io.Writer) error { w.Write([]byte("a little")); return boom }, 500, false},
		{"fails after the first byte", func(_ context.Context, w io.Writer) error { w.Write(big); return boom }, 200, false},
		{"completes", func(_ context.Context, w io.Writer) error { _, err := w.Write(big); return err }, 200, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := http.Get(streamApp(t, tc.produce))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if tc.status != 200 {
				if res.Header.Get("Content-Disposition") != "" {
					t.Fatalf("an error answered as a download: %v", res.Header)
				}
				return
			}
			if whole := err == nil && bytes.Equal(body, big); whole != tc.whole {
				t.Fatalf("whole %v, want %v (read %d bytes, %v)", whole, tc.whole, len(body), err)
			}
		})
	}
}

// A client that goes away mid-download ends the producer: its next write
// fails, so it stops reading the database instead of writing into nothing.
func TestStreamedDownloadEndsWhenTheClientLeaves(t *testing.T) {
	t.Parallel()
	ended := make(chan error, 1)
	url := streamApp(t, func(_ context.Context, w io.Writer) error {
		chunk := bytes.Repeat([]byte("y"), 32<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				ended <- err
				return err
			}
		}
	})
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(res.Body, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// The deadline is a bound against a hang, not a measure.
	select {
	case err := <-ended:
		if !errors.Is(err, io.ErrClosedPipe) {
			t.Fatalf("the producer ended with %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the producer kept writing after the client left")
	}
}
