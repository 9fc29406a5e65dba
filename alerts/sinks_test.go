package alerts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/mail"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// outageProxy stands between Prometheus and the exporter: while down, it
// answers every scrape with 503, as a dead exporter's host would refuse
// it, and Prometheus records up 0.
type outageProxy struct {
	*httptest.Server
	down atomic.Bool
}

func newOutageProxy(t *testing.T, target string) *outageProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &outageProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			http.Error(w, "exporter down", http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *outageProxy) setDown(down bool) { p.down.Store(down) }

// notificationsTo returns the webhook notifications posted to path so far.
func (rx *receivers) notificationsTo(path string) []notification {
	var out []notification
	for _, n := range rx.notifications() {
		if n.path == path {
			out = append(out, n)
		}
	}
	return out
}

// wechatTo returns the WeChat messages to party so far, in order.
func (rx *receivers) wechatTo(party string) []string {
	rx.mu.Lock()
	defer rx.mu.Unlock()
	return slices.Clone(rx.wechat[party])
}

// smtpSink is the far end of Alertmanager's email: an SMTP server that
// speaks just enough (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and keeps
// every message, parsed as a mail reader would.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	msgs []parsedMail
	errs []error
}

// parsedMail is a message as a mail reader sees it.
type parsedMail struct {
	envelopeFrom string
	to           []string
	from         *mail.Address
	subject      string
	text, html   string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, err := range s.errs {
			t.Errorf("SMTP sink: %v", err)
		}
	})
	return s
}

func (s *smtpSink) serve(nc net.Conn) {
	defer nc.Close()
	c := textproto.NewConn(nc)
	c.PrintfLine("220 sink ESMTP")
	var from string
	var to []string
	for {
		line, err := c.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			c.PrintfLine("250-sink")
			c.PrintfLine("250 8BITMIME")
		case "HELO":
			c.PrintfLine("250 sink")
		case "MAIL":
			from = angleAddr(arg)
			c.PrintfLine("250 ok")
		case "RCPT":
			to = append(to, angleAddr(arg))
			c.PrintfLine("250 ok")
		case "DATA":
			c.PrintfLine("354 go ahead")
			b, err := c.ReadDotBytes()
			if err != nil {
				return
			}
			m, err := parseMail(b)
			s.mu.Lock()
			if err != nil {
				s.errs = append(s.errs, fmt.Errorf("%w in:\n%s", err, b))
			} else {
				m.envelopeFrom, m.to = from, to
				s.msgs = append(s.msgs, m)
			}
			s.mu.Unlock()
			from, to = "", nil
			c.PrintfLine("250 queued")
		case "RSET", "NOOP":
			c.PrintfLine("250 ok")
		case "QUIT":
			c.PrintfLine("221 bye")
			return
		default:
			c.PrintfLine("502 not implemented")
		}
	}
}

// angleAddr returns the address in "FROM:<a@b> BODY=8BITMIME".
func angleAddr(arg string) string {
	_, a, _ := strings.Cut(arg, "<")
	a, _, _ = strings.Cut(a, ">")
	return a
}

// parseMail reads a message as net/mail does: the From header must parse
// to an address, the subject decode, and the multipart body give a text
// and an HTML part.
func parseMail(b []byte) (parsedMail, error) {
	var m parsedMail
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return m, fmt.Errorf("read message: %w", err)
	}
	if m.from, err = mail.ParseAddress(msg.Header.Get("From")); err != nil {
		return m, fmt.Errorf("From %q: %w", msg.Header.Get("From"), err)
	}
	if m.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return m, fmt.Errorf("Subject %q: %w", msg.Header.Get("Subject"), err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return m, fmt.Errorf("Content-Type %q: %w", msg.Header.Get("Content-Type"), err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		return m, fmt.Errorf("Content-Type %q: not multipart", msg.Header.Get("Content-Type"))
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, fmt.Errorf("part: %w", err)
		}
		body, err := io.ReadAll(p) // quoted-printable is decoded by NextPart
		if err != nil {
			return m, fmt.Errorf("part: %w", err)
		}
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			m.text = string(body)
		case strings.HasPrefix(ct, "text/html"):
			m.html = string(body)
		}
	}
	return m, nil
}

// waitFor waits for a message to rcpt for which ok holds.
func (s *smtpSink) waitFor(t *testing.T, rcpt string, ok func(parsedMail) bool) parsedMail {
	t.Helper()
	var found parsedMail
	msgs := func() []parsedMail {
		s.mu.Lock()
		defer s.mu.Unlock()
		return slices.Clone(s.msgs)
	}
	waitFor(t, "a mail to "+rcpt, func() bool {
		for _, m := range msgs() {
			if slices.Contains(m.to, rcpt) && ok(m) {
				found = m
				return true
			}
		}
		return false
	}, func() string { return fmt.Sprintf("mails: %+v", msgs()) })
	return found
}
