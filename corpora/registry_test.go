package corpora

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// server serves files from memory with Range support, and can break the
// first response of a file after half its bytes.
type server struct {
	mu       sync.Mutex
	files    map[string][]byte
	breakOne map[string]bool
	requests []string // path + " " + Range header
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.Path+" "+r.Header.Get("Range"))
	data, ok := s.files[r.URL.Path]
	brk := s.breakOne[r.URL.Path]
	s.breakOne[r.URL.Path] = false
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if brk {
		// Announce the whole length, send half, and cut the connection.
		w.Header().Set("Content-Length", itoa(len(data)))
		w.WriteHeader(http.StatusOK)
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
		return
	}
	http.ServeContent(w, r, r.URL.Path, time.Time{}, bytes.NewReader(data))
}

func itoa(n int) string {
	b := []byte{}
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestFetcher(t *testing.T) {
	text := bytes.Repeat([]byte("To be, or not to be, that is the question.\n\n"), 5000)
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("wt/wiki.train.tokens")
	w.Write(text[:1000])
	zw.Close()
	zdata := zbuf.Bytes()
	zmd5 := md5.Sum(zdata)

	srv := &server{files: map[string][]byte{"/input.txt": text, "/wt.zip": zdata, "/nosum.txt": text[:500]}, breakOne: map[string]bool{"/input.txt": true}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	var log bytes.Buffer
	f := &Fetcher{Dir: t.TempDir(), Client: ts.Client(), Progress: &log}
	ctx := context.Background()

	plain := Entry{Name: "shakes", URL: ts.URL + "/input.txt", SHA256: sha(text), Size: int64(len(text))}
	// 1. The first response breaks half way: an error that says to resume.
	if _, err := f.Get(ctx, plain); err == nil || !strings.Contains(err.Error(), "run again to resume") {
		t.Fatalf("broken download: got %v", err)
	}
	// 2. Again: resumes with a Range request from the bytes it has.
	p, err := f.Get(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got, text) {
		t.Fatal("resumed download differs")
	}
	if last := srv.requests[len(srv.requests)-1]; last != "/input.txt bytes="+itoa(len(text)/2)+"-" {
		t.Errorf("resume request = %q, want a Range from byte %d", last, len(text)/2)
	}
	// 3. Cached: no request.
	n := len(srv.requests)
	if p2, err := f.Get(ctx, plain); err != nil || p2 != p || len(srv.requests) != n {
		t.Errorf("cached get: %v, %d new requests", err, len(srv.requests)-n)
	}
	// 4. A zip with an MD5, extracted.
	zp, err := f.Get(ctx, Entry{Name: "wt", URL: ts.URL + "/wt.zip", MD5: hex.EncodeToString(zmd5[:]), Member: "wt/wiki.train.tokens"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(zp); !bytes.Equal(got, text[:1000]) {
		t.Error("zip member differs")
	}
	// 5. A wrong checksum: an error, and nothing kept.
	_, err = f.Get(ctx, Entry{Name: "bad", URL: ts.URL + "/input.txt", SHA256: strings.Repeat("0", 64)})
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("wrong checksum: got %v", err)
	}
	if entries, _ := os.ReadDir(f.Dir + "/bad"); len(entries) != 0 {
		t.Errorf("files left after a checksum mismatch: %v", entries)
	}
	// 6. No checksum in the entry: downloaded with a warning, sha256 recorded.
	np, err := f.Get(ctx, Entry{Name: "nosum", URL: ts.URL + "/nosum.txt"})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := os.ReadFile(np + ".sha256")
	if !strings.HasPrefix(string(rec), sha(text[:500])) || !strings.Contains(log.String(), "no checksum") {
		t.Errorf("recorded %q, log %q", rec, log.String())
	}
	// 7. A missing file.
	if _, err := f.Get(ctx, Entry{Name: "gone", URL: ts.URL + "/gone.txt"}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: got %v", err)
	}
}

func TestRegistryEntries(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Registry {
		if seen[e.Name] || e.URL == "" || e.Description == "" || e.License == "" {
			t.Errorf("bad entry %+v", e)
		}
		seen[e.Name] = true
		if e.SHA256 != "" && len(e.SHA256) != 64 || e.MD5 != "" && len(e.MD5) != 32 {
			t.Errorf("%s: malformed checksum", e.Name)
		}
	}
	if _, err := Lookup("tinyshakespeare"); err != nil {
		t.Error(err)
	}
	if _, err := Lookup("nope"); !errors.Is(err, ErrUnknownCorpus) {
		t.Errorf("unknown: %v", err)
	}
}
