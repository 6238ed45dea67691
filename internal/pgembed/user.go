package pgembed

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// serverUser is the unprivileged account PostgreSQL runs as when we are
// root, because postgres and initdb refuse to run with uid 0.
type serverUser struct {
	name   string
	uid    uint32
	gid    uint32
	groups []uint32
}

func (u *serverUser) credential() *syscall.Credential {
	return &syscall.Credential{Uid: u.uid, Gid: u.gid, Groups: u.groups}
}

// pickServerUser keeps running an existing directory as its non-root owner,
// so that a cluster made by another account is neither chowned nor broken;
// otherwise it uses the postgres account, or nobody as a last resort.
func pickServerUser(l layout) (*serverUser, error) {
	if l.exists && l.uid != 0 {
		if u, err := user.LookupId(strconv.FormatUint(uint64(l.uid), 10)); err == nil {
			return fromOSUser(u)
		}
		return &serverUser{name: fmt.Sprintf("uid %d", l.uid), uid: l.uid, gid: l.gid}, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		if u, err := user.Lookup(name); err == nil {
			return fromOSUser(u)
		}
	}
	return nil, errors.New(`running as root, but there is no "postgres" or "nobody" user to run PostgreSQL as (it refuses to run as root)`)
}

func fromOSUser(u *user.User) (*serverUser, error) {
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user %s has a non-numeric uid %q", u.Username, u.Uid)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user %s has a non-numeric gid %q", u.Username, u.Gid)
	}
	su := &serverUser{name: u.Username, uid: uint32(uid), gid: uint32(gid)}
	// Supplementary groups matter both for the permission check and for
	// the process itself; without them setgroups would leave root's groups.
	ids, _ := u.GroupIds()
	for _, s := range ids {
		if g, err := strconv.ParseUint(s, 10, 32); err == nil && uint32(g) != su.gid {
			su.groups = append(su.groups, uint32(g))
		}
	}
	return su, nil
}

func (u *serverUser) canSearch(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	// Like the kernel: only the first matching class counts, so an owner
	// without x is refused even when "other" has it.
	switch {
	case st.Uid == u.uid:
		return perm&0o100 != 0
	case st.Gid == u.gid || slices.Contains(u.groups, st.Gid):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

// firstBlocked returns the first existing ancestor of dir that u cannot
// enter. Missing ancestors are fine: we create them with mode 0755.
// ACLs are not considered.
func firstBlocked(dir string, u *serverUser) (string, fs.FileMode, error) {
	var ancestors []string
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		ancestors = append(ancestors, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	for i := len(ancestors) - 1; i >= 0; i-- {
		p := ancestors[i]
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return "", 0, nil
		}
		if err != nil {
			return "", 0, err
		}
		if !fi.IsDir() {
			return "", 0, fmt.Errorf("cannot use data directory %s: %s is not a directory", dir, p)
		}
		if !u.canSearch(fi) {
			return p, fi.Mode().Perm(), nil
		}
	}
	return "", 0, nil
}

// mkdirParents creates the missing ancestors of dir with mode 0755 whatever
// the umask, because the server user has to pass through them.
func mkdirParents(dir string) error {
	var missing []string
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		}
		missing = append(missing, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		if err := os.Chmod(missing[i], 0o755); err != nil {
			return err
		}
	}
	return nil
}

// chownTree gives dir and everything in it to uid:gid, touching only
// entries that differ so that the common case is a read-only walk.
func chownTree(dir string, uid, gid uint32) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == uid && st.Gid == gid {
			return nil
		}
		return os.Lchown(path, int(uid), int(gid))
	})
}
