package store

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lib/pq"
)

// mask stands where a password was.
const mask = "xxxxx"

// minScrub is the shortest secret Scrub removes from free text: a password
// of one or two characters would mask ordinary words of every message.
// RedactDSN masks a password of any length, by its position.
const minScrub = 3

// IsPostgres reports whether dsn selects PostgreSQL: a postgres:// or
// postgresql:// URL, or a key=value connection string
// ("host=db user=devzone password='…'"), the two forms lib/pq accepts.
func IsPostgres(dsn string) bool {
	if isURL(dsn) {
		return true
	}
	return !strings.Contains(dsn, "://") && strings.Contains(dsn, "=")
}

func isURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// span is a byte range [start, end) of a DSN that holds a secret.
type span struct{ start, end int }

// secretSpans finds every password in dsn, conservatively: when the DSN
// is malformed, a span may reach further than lib/pq would read, never
// less far.
func secretSpans(dsn string) []span {
	var out []span
	if _, rest, ok := strings.Cut(dsn, "://"); ok {
		off := len(dsn) - len(rest)
		// The user information ends at the authority's last @, where
		// net/url (and so lib/pq) ends it. A password holding an unencoded
		// / ? or # ends the authority early and puts its @ beyond: then
		// the last @ of the whole string.
		authority := rest
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			authority = rest[:i]
		}
		at := strings.LastIndexByte(authority, '@')
		if at < 0 {
			at = strings.LastIndexByte(rest, '@')
		}
		if at >= 0 {
			if colon := strings.IndexByte(rest[:at], ':'); colon >= 0 {
				out = append(out, span{off + colon + 1, off + at})
			}
		}
		// ?password=… (and &password=…) in the query.
		for i := 0; ; {
			j := strings.Index(dsn[i:], "password=")
			if j < 0 {
				break
			}
			j += i
			i = j + len("password=")
			if j == 0 || (dsn[j-1] != '?' && dsn[j-1] != '&') {
				continue
			}
			out = append(out, span{i, i + queryValueEnd(dsn[i:])})
		}
		return out
	}
	return kvSecretSpans(dsn)
}

// queryValueEnd returns where a query value that opens s ends: at the
// next & that starts another key=value parameter. A # or an & inside an
// unencoded password does not end it: masking too much is safe, too
// little is not.
func queryValueEnd(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		if j > i+1 && j < len(s) && s[j] == '=' {
			return i
		}
	}
	return len(s)
}

// kvSecretSpans finds the password values of a key=value connection
// string, scanning it as lib/pq does (whitespace between pairs, values in
// single quotes when they hold spaces, backslash escapes). Where the
// string stops making sense after a password key, the rest of it is the
// span.
func kvSecretSpans(dsn string) []span {
	var out []span
	i := 0
	skip := func() {
		for i < len(dsn) {
			r, n := utf8.DecodeRuneInString(dsn[i:])
			if !unicode.IsSpace(r) {
				return
			}
			i += n
		}
	}
	for {
		skip()
		if i >= len(dsn) {
			return out
		}
		ks := i
		for i < len(dsn) && dsn[i] != '=' {
			r, n := utf8.DecodeRuneInString(dsn[i:])
			if unicode.IsSpace(r) {
				break
			}
			i += n
		}
		key := dsn[ks:i]
		skip()
		if i >= len(dsn) || dsn[i] != '=' {
			// Not a pair: lib/pq refuses the string. Whatever follows a
			// password key may be the rest of its value.
			if p := strings.LastIndex(dsn[:ks], "password"); p >= 0 {
				p += len("password")
				for p < len(dsn) && (dsn[p] == '=' || dsn[p] == ' ') {
					p++
				}
				out = append(out, span{p, len(dsn)})
			}
			return out
		}
		i++ // =
		skip()
		vs := i
		if i < len(dsn) && dsn[i] == '\'' {
			i++
			closed := false
			for i < len(dsn) {
				switch dsn[i] {
				case '\\':
					i += 2
					continue
				case '\'':
					closed = true
				}
				i++
				if closed {
					break
				}
			}
			if !closed {
				i = len(dsn)
			}
		} else {
			for i < len(dsn) {
				if dsn[i] == '\\' {
					i += 2
					continue
				}
				r, n := utf8.DecodeRuneInString(dsn[i:])
				if unicode.IsSpace(r) {
					break
				}
				i += n
			}
		}
		i = min(i, len(dsn))
		if key == "password" {
			out = append(out, span{vs, i})
		}
	}
}

// RedactDSN returns dsn for messages, every password in it (URL user
// information, ?password=, password=… of a key=value string) replaced by
// xxxxx, whatever characters it holds, and in one line.
func RedactDSN(dsn string) string {
	spans := secretSpans(dsn)
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	last := 0
	for _, s := range spans {
		if s.start < last {
			s.start = last
		}
		if s.end <= s.start {
			continue
		}
		b.WriteString(dsn[last:s.start])
		b.WriteString(mask)
		last = s.end
	}
	b.WriteString(dsn[last:])
	return oneLine(b.String())
}

// Secrets returns the passwords dsn holds, each as it stands in the DSN
// and as lib/pq would send it (percent-decoded, unquoted, unescaped), for
// Scrub. It includes the password lib/pq takes from PGPASSWORD.
func Secrets(dsn string) []string {
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	for _, s := range secretSpans(dsn) {
		raw := dsn[s.start:s.end]
		add(raw)
		if dec, err := url.PathUnescape(raw); err == nil {
			add(dec)
		}
		if dec, err := url.QueryUnescape(raw); err == nil {
			add(dec)
		}
		if uq, ok := strings.CutPrefix(raw, "'"); ok {
			uq = strings.TrimSuffix(uq, "'")
			add(uq)
			add(strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(uq))
		}
		add(strings.NewReplacer(`\ `, ` `, `\\`, `\`).Replace(raw))
	}
	if IsPostgres(dsn) {
		if cfg, err := pq.NewConfig(dsn); err == nil {
			add(cfg.Password)
		}
	}
	// Each as a URL would quote it, too.
	for _, s := range out {
		add(url.PathEscape(s))
		add(url.QueryEscape(s))
	}
	return out
}

// Scrub replaces every secret of three characters or more in s by xxxxx,
// longest first, so that a message quoting a password in any form shows
// none of it.
func Scrub(s string, secrets []string) string {
	sorted := append([]string(nil), secrets...)
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	for _, sec := range sorted {
		if len(sec) >= minScrub {
			s = strings.ReplaceAll(s, sec, mask)
		}
	}
	return s
}

// ScrubError returns err with the secrets scrubbed from its message and
// the message made one line; errors.Is and errors.As still see err.
func ScrubError(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := oneLine(Scrub(err.Error(), secrets))
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// errEncodePassword explains the DSNs that lib/pq would misread: it is
// said instead of lib/pq's or net/url's own message, which may quote a
// piece of the password.
var errEncodePassword = errors.New("does not parse as lib/pq reads it (percent-encode / ? # % @ : and spaces in a URL's password, quote a key=value password holding spaces, or use --db.password-file)")

// checkDSN refuses a DSN that lib/pq would read other than as written, so
// that neither it nor lib/pq has to say why in words that quote the
// password: a URL net/url cannot parse, or one whose password net/url
// does not see (an unencoded / ? or # before its @), or a key=value
// string that does not scan.
func checkDSN(dsn string) error {
	if isURL(dsn) {
		if _, err := url.Parse(dsn); err != nil {
			return fmt.Errorf("database URL %s %w", RedactDSN(dsn), errEncodePassword)
		}
		_, rest, _ := strings.Cut(dsn, "://")
		authority := rest
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			authority = rest[:i]
		}
		if !strings.Contains(authority, "@") {
			if at := strings.LastIndexByte(rest, '@'); at >= 0 && strings.Contains(rest[:at], ":") {
				// user:pass/word@host: net/url sees host "user", port "pass".
				return fmt.Errorf("database URL %s %w", RedactDSN(dsn), errEncodePassword)
			}
		}
		return nil
	}
	if err := scanKV(dsn); err != nil {
		return fmt.Errorf("connection string %s %w", RedactDSN(dsn), errEncodePassword)
	}
	return nil
}

// scanKV checks that a key=value string scans as lib/pq scans it.
func scanKV(dsn string) error {
	rs := []rune(dsn)
	i := 0
	for {
		for i < len(rs) && unicode.IsSpace(rs[i]) {
			i++
		}
		if i >= len(rs) {
			return nil
		}
		for i < len(rs) && !unicode.IsSpace(rs[i]) && rs[i] != '=' {
			i++
		}
		for i < len(rs) && unicode.IsSpace(rs[i]) {
			i++
		}
		if i >= len(rs) || rs[i] != '=' {
			return errors.New("missing =")
		}
		i++
		for i < len(rs) && unicode.IsSpace(rs[i]) {
			i++
		}
		if i >= len(rs) {
			return nil
		}
		if rs[i] == '\'' {
			i++
			for {
				if i >= len(rs) {
					return errors.New("unterminated quote")
				}
				if rs[i] == '\\' {
					i += 2
					continue
				}
				if rs[i] == '\'' {
					i++
					break
				}
				i++
			}
			continue
		}
		for i < len(rs) && !unicode.IsSpace(rs[i]) {
			if rs[i] == '\\' {
				if i+1 >= len(rs) {
					return errors.New("backslash at the end")
				}
				i++
			}
			i++
		}
	}
}
