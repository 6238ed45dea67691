package web

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Shutting down, the instance says 503 on /readyz at once, and a request
// already being received is still answered before the server stops.
func TestShutdownDrains(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addr := strings.TrimPrefix(app.serve(), "http://")

	// A request in flight: the head and half the body are sent.
	body := `{"username":"nobody","password":"wrong-password"}`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "POST /api/v1/login HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head + body[:10])); err != nil {
		t.Fatal(err)
	}

	app.srv.Drain()
	expectStatus(t, app.call("GET", "/readyz", "", nil), 503)
	expectStatus(t, app.call("GET", "/healthz", "", nil), 200)

	stopped := make(chan error, 1)
	go func() { stopped <- app.srv.Shutdown(time.Minute) }()
	// Once the listener is closed no new connection gets in. The deadline
	// only keeps a broken shutdown from hanging the test binary.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener is still open a minute after Shutdown")
		}
	}
	if _, err := conn.Write([]byte(body[10:])); err != nil {
		t.Fatalf("the request in flight was cut: %v", err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the request in flight got %d", res.StatusCode)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
