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

// Proxy stands between a pool and the real server on loopback, for tests
// about what crosses the wire: it passes the server's traffic unchanged,
// counts the pool's round trips, and can cut the line.
type Proxy struct {
	// DSN is dsn with the proxy's address in place of the server's.
	DSN string

	ln     net.Listener
	trips  atomic.Int64
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
	wg     sync.WaitGroup
}

// NewProxy starts a proxy in front of the server of dsn; it is cut when
// the test ends.
func NewProxy(t testing.TB, dsn string) *Proxy {
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
	u.Host = ln.Addr().String()
	p := &Proxy{DSN: u.String(), ln: ln}
	t.Cleanup(p.Cut)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
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
			p.mu.Lock()
			if p.closed {
				p.mu.Unlock()
				client.Close()
				server.Close()
				continue
			}
			p.conns = append(p.conns, client, server)
			p.mu.Unlock()
			p.wg.Add(2)
			go func() {
				defer p.wg.Done()
				io.Copy(client, server)
				client.Close()
			}()
			go func() {
				defer p.wg.Done()
				countMessages(io.TeeReader(client, server), &p.trips)
				server.Close()
			}()
		}
	}()
	return p
}

// Trips is the number of round trips the pool has made so far: on the
// client's side of the PostgreSQL protocol each ends with a Sync (the
// extended protocol: parse, bind, execute) or is one simple Query.
func (p *Proxy) Trips() int64 { return p.trips.Load() }

// Cut closes the proxy and every connection through it, as a network gone
// away would.
func (p *Proxy) Cut() {
	p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
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
