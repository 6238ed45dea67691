package testdb

import (
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// Trips counts the round trips a pool makes to the server: a proxy on
// loopback stands between them and reads the client's side of the
// PostgreSQL protocol, where each round trip ends with a Sync (the
// extended protocol: parse, bind, execute) or is one simple Query. It
// answers an address for the proxy and the count so far. What passes is
// the real server's traffic, unchanged.
func Trips(t testing.TB, dsn string) (string, func() int64) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	upstream := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	var trips atomic.Int64
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", upstream)
			if err != nil {
				client.Close()
				continue
			}
			wg.Add(2)
			go func() {
				defer wg.Done()
				io.Copy(client, server)
				client.Close()
			}()
			go func() {
				defer wg.Done()
				countMessages(io.TeeReader(client, server), &trips)
				server.Close()
			}()
			t.Cleanup(func() { client.Close(); server.Close() })
		}
	}()
	u.Host = ln.Addr().String()
	return u.String(), trips.Load
}

// sslRequest is the code an SSLRequest carries where a startup message
// carries its protocol version; the startup message follows it.
const sslRequest = 80877103

// countMessages reads frontend messages until the stream ends: the startup
// message first (a length and no type byte, maybe after an SSLRequest),
// then typed ones.
func countMessages(r io.Reader, trips *atomic.Int64) {
	for {
		var start [8]byte
		if _, err := io.ReadFull(r, start[:]); err != nil {
			return
		}
		if _, err := io.CopyN(io.Discard, r, int64(binary.BigEndian.Uint32(start[:4]))-8); err != nil {
			return
		}
		if binary.BigEndian.Uint32(start[4:]) != sslRequest {
			break
		}
	}
	var head [5]byte
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return
		}
		if head[0] == 'S' || head[0] == 'Q' {
			trips.Add(1)
		}
		if _, err := io.CopyN(io.Discard, r, int64(binary.BigEndian.Uint32(head[1:]))-4); err != nil {
			return
		}
	}
}
