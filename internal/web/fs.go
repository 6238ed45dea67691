package web

import (
	"io/fs"
	"net/http"
)

func mustSub(f fs.FS, dir string) http.FileSystem {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return http.FS(sub)
}
