package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"panhuo/internal/land"
)

// DefaultHashParams are OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
func DefaultHashParams() HashParams {
	return HashParams{MemoryKiB: 19456, Time: 2, Threads: 1}
}

const (
	saltBytes = 16
	keyBytes  = 32
	// maxPasswordBytes bounds what is hashed: longer input is refused by the
	// policy and never matches at log-in.
	maxPasswordBytes = 1024
	// maxPasswordRunes is the policy's upper bound.
	maxPasswordRunes = 256
)

// Bounds on the parameters read back from a stored hash, so that a damaged
// or planted row cannot make one verification take all the memory.
const (
	maxMemoryKiB = 4 << 20 // 4 GiB
	maxTime      = 64
	maxKeyBytes  = 128
)

var b64 = base64.RawStdEncoding // PHC strings: standard alphabet, no padding

// HashPassword hashes password with argon2id and a fresh 16-byte salt, in
// PHC string form: $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func HashPassword(password string, p HashParams) (string, error) {
	p = p.withDefaults()
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("access: hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyBytes)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC string hash,
// using the parameters stored in it; the comparison takes constant time.
// An error means the hash could not be read.
func VerifyPassword(password, hash string) (bool, error) {
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// ParseHashParams returns the parameters a PHC string was hashed with, for
// deciding whether it should be hashed again with newer ones.
func ParseHashParams(hash string) (HashParams, error) {
	p, _, _, err := parseHash(hash)
	return p, err
}

var errBadHash = errors.New("access: not an argon2id PHC string")

func parseHash(hash string) (HashParams, []byte, []byte, error) {
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return HashParams{}, nil, nil, errBadHash
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return HashParams{}, nil, nil, fmt.Errorf("%w: version %q", errBadHash, parts[2])
	}
	var (
		m, t uint32
		th   uint8
	)
	n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th)
	if err != nil || n != 3 || parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", m, t, th) {
		return HashParams{}, nil, nil, fmt.Errorf("%w: parameters %q", errBadHash, parts[3])
	}
	if m < 8*uint32(th) || m > maxMemoryKiB || t < 1 || t > maxTime || th < 1 {
		return HashParams{}, nil, nil, fmt.Errorf("%w: parameters %q out of range", errBadHash, parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return HashParams{}, nil, nil, fmt.Errorf("%w: salt", errBadHash)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > maxKeyBytes {
		return HashParams{}, nil, nil, fmt.Errorf("%w: key", errBadHash)
	}
	return HashParams{MemoryKiB: m, Time: t, Threads: th}, salt, key, nil
}

func (p HashParams) withDefaults() HashParams {
	d := DefaultHashParams()
	if p.MemoryKiB == 0 {
		p.MemoryKiB = d.MemoryKiB
	}
	if p.Time == 0 {
		p.Time = d.Time
	}
	if p.Threads == 0 {
		p.Threads = d.Threads
	}
	// argon2 needs at least 8 KiB per lane.
	p.MemoryKiB = max(p.MemoryKiB, 8*uint32(p.Threads))
	return p
}

// commonPasswords are among the most used passwords (lists of leaked
// passwords, Chinese ones included), compared case-insensitively. Short
// ones are also refused by the length rule; they are kept so that a lower
// minimum does not let them through.
var commonPasswords = [...]string{
	"123456", "12345678", "123456789", "1234567890", "12345678910", "0123456789",
	"111111", "11111111", "1111111111", "000000", "00000000", "0000000000",
	"123123", "123123123", "123321", "654321", "666666", "888888", "88888888",
	"147258369", "1qaz2wsx", "1qaz2wsx3edc", "1q2w3e4r", "1q2w3e4r5t", "qwerty",
	"qwerty123", "qwertyuiop", "qwerty123456", "asdfghjkl", "zxcvbnm", "abc123",
	"abc123456", "abcd1234", "abcd123456", "a123456", "a12345678", "a123456789",
	"aa123456", "aa12345678", "password", "password1", "password12", "password123",
	"passw0rd", "p@ssw0rd", "p@ssword", "admin", "admin123", "admin1234",
	"admin12345", "admin@123", "administrator", "root123", "iloveyou",
	"woaini1314", "5201314", "woaini520", "qq123456", "welcome", "welcome123",
	"letmein", "changeme", "panhuo123", "panhuo@123",
}

// PolicyReasons lists why password breaks the minimum policy for the user
// with the given login (none when it is acceptable), in Chinese.
func PolicyReasons(login, password string, minRunes int) []string {
	var reasons []string
	n := utf8.RuneCountInString(password)
	if !utf8.ValidString(password) {
		reasons = append(reasons, "密码含有无效字符")
	}
	if n < minRunes {
		reasons = append(reasons, fmt.Sprintf("密码至少需要 %d 个字符", minRunes))
	}
	if n > maxPasswordRunes || len(password) > maxPasswordBytes {
		reasons = append(reasons, fmt.Sprintf("密码不能超过 %d 个字符", maxPasswordRunes))
	}
	var letters, digits, others bool
	for _, r := range password {
		switch {
		case unicode.IsLetter(r):
			letters = true
		case unicode.IsDigit(r):
			digits = true
		default:
			others = true
		}
	}
	if kinds := btoi(letters) + btoi(digits) + btoi(others); kinds < 2 {
		reasons = append(reasons, "密码须至少包含字母、数字、其他符号中的两类")
	}
	lower := strings.ToLower(password)
	// Logins of one or two characters would refuse too many good passwords.
	if len(login) >= 3 && strings.Contains(lower, strings.ToLower(login)) {
		reasons = append(reasons, "密码不能包含登录名")
	}
	for _, c := range commonPasswords {
		if lower == c {
			reasons = append(reasons, "密码过于常见，容易被猜中")
			break
		}
	}
	return reasons
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkPassword turns the policy's reasons into a *land.Error on the field
// "password".
func checkPassword(login, password string, minRunes int) error {
	if fields := policyFields(login, password, minRunes); len(fields) > 0 {
		return &land.Error{Kind: land.KindInvalid, Title: "密码不符合要求", Fields: fields}
	}
	return nil
}

func policyFields(login, password string, minRunes int) []land.FieldError {
	var fields []land.FieldError
	for _, r := range PolicyReasons(login, password, minRunes) {
		fields = append(fields, land.FieldError{Field: "password", Reason: r})
	}
	return fields
}
