package web

import (
	"bufio"
	"context"
	"io"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// sendStream answers a download that is produced while it is sent, so an
// export holds a bounded window of its rows instead of the whole file.
// The handler has checked the caller's scope before; produce runs on its
// own goroutine with a context that outlives the handler, and writes the
// file to w.
//
// Until produce writes its first byte the handler waits, and an error is
// answered like any other, with its status (a workbook is zipped only once
// its rows are read, so a failing query is still answered properly). After
// the first byte the 200 and part of the body have gone: the error is
// logged and the connection is cut before the chunked body's last chunk, so
// the client sees a truncated transfer, never a file that looks complete.
// A client that goes away closes the pipe, which fails produce's next write
// and ends it, releasing its database snapshot.
func (s *Server) sendStream(c *fiber.Ctx, contentType, name string, produce func(ctx context.Context, w io.Writer) error) error {
	pr, pw := io.Pipe()
	out := &firstWrite{w: pw, started: make(chan struct{})}
	failed := make(chan error, 1)
	ctx, rid := context.WithoutCancel(c.UserContext()), requestID(c)
	go func() {
		bw := bufio.NewWriterSize(out, 64<<10)
		err := produce(ctx, bw)
		if err == nil {
			err = bw.Flush()
		}
		if !out.begun() {
			failed <- err
			pw.Close()
			return
		}
		if err != nil {
			s.log.Error("download cut short", "request_id", rid, "file", name, "err", err)
		}
		pw.CloseWithError(err) // nil: a clean end of the body
	}()
	select {
	case err := <-failed:
		if err != nil {
			return err
		}
	case <-out.started:
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, attachment(name, ""))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.SendStream(pr)
}

// firstWrite tells, by closing started, that the body has begun.
type firstWrite struct {
	w       io.Writer
	once    sync.Once
	started chan struct{}
}

func (f *firstWrite) Write(p []byte) (int, error) {
	f.once.Do(func() { close(f.started) })
	return f.w.Write(p)
}

func (f *firstWrite) begun() bool {
	select {
	case <-f.started:
		return true
	default:
		return false
	}
}
