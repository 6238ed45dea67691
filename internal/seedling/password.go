package seedling

import (
	"sync"

	"github.com/alexedwards/argon2id"
)

// passwordParams follow the argon2id library's defaults (64 MiB, 1 pass, 2
// lanes, per RFC 9106's second recommendation), sized for a 2-core server.
var passwordParams = argon2id.DefaultParams

// HashPassword validates and hashes a new password. The whole password is
// hashed: nothing is truncated.
func HashPassword(pw string) (string, error) {
	if err := ValidatePassword(pw); err != nil {
		return "", err
	}
	return argon2id.CreateHash(pw, passwordParams)
}

// dummyHash is compared against when a username does not exist, so that a
// login for an unknown name takes as long as one for a real one.
var dummyHash = sync.OnceValue(func() string {
	h, _ := argon2id.CreateHash("no such user, no such password", passwordParams)
	return h
})

// CheckPassword reports whether pw matches hash; an empty hash (no such
// user) still costs one full comparison.
func CheckPassword(pw, hash string) bool {
	if hash == "" {
		argon2id.ComparePasswordAndHash(pw, dummyHash())
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}
