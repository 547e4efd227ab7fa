package corpora

import (
	"archive/zip"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Entry is a well-known public corpus that `tok corpus get` can download.
type Entry struct {
	Name        string
	Description string
	URL         string
	// SHA256 or MD5 (hex) of the downloaded file, from the corpus's
	// publisher or the projects that have long used it. An entry without
	// either is downloaded with a warning and its sha256 is recorded in the
	// cache on first download (trust on first use).
	SHA256, MD5 string
	Size        int64  // bytes, 0 if unknown
	License     string // of the text
	Split       Split  // how to cut the text into documents
	// Member, for a zip archive, is the file inside that Get returns
	// (the archive is extracted next to it); empty for a plain file.
	Member string
}

// Registry lists the known corpora, by name.
var Registry = []Entry{
	{
		Name:        "tinyshakespeare",
		Description: "Tiny Shakespeare, 40k lines of Shakespeare's plays (char-rnn, nanoGPT)",
		URL:         "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
		SHA256:      "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
		Size:        1115394,
		License:     "public domain text",
		Split:       SplitParagraphs,
	},
	{
		Name:        "wikitext-103",
		Description: "WikiText-103 (tokenized, v1): 103M words of Wikipedia Good and Featured articles",
		URL:         "https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-103-v1.zip",
		MD5:         "9ddaacaf6af0710eda8c456decff7832",
		License:     "CC BY-SA 3.0",
		Split:       SplitLines,
		Member:      "wikitext-103/wiki.train.tokens",
	},
	{
		Name:        "wikitext-2",
		Description: "WikiText-2 (tokenized, v1): 2M words of Wikipedia Good and Featured articles",
		URL:         "https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-2-v1.zip",
		MD5:         "542ccefacc6c27f945fb54453812b3cd",
		License:     "CC BY-SA 3.0",
		Split:       SplitLines,
		Member:      "wikitext-2/wiki.train.tokens",
	},
	{
		Name:        "enwik8",
		Description: "enwik8: the first 10^8 bytes of an English Wikipedia XML dump (Hutter Prize)",
		URL:         "http://mattmahoney.net/dc/enwik8.zip",
		License:     "CC BY-SA (Wikipedia)",
		Split:       SplitLines,
		Member:      "enwik8",
	},
	{
		Name:        "tinystories",
		Description: "TinyStories training text: short stories by GPT-3.5/4 in simple English (stories end with <|endoftext|> lines)",
		URL:         "https://huggingface.co/datasets/roneneldan/TinyStories/resolve/main/TinyStories-train.txt",
		License:     "CDLA-Sharing-1.0",
		Split:       SplitParagraphs,
	},
	{
		Name:        "tinystories-valid",
		Description: "TinyStories validation text",
		URL:         "https://huggingface.co/datasets/roneneldan/TinyStories/resolve/main/TinyStories-valid.txt",
		License:     "CDLA-Sharing-1.0",
		Split:       SplitParagraphs,
	},
}

// Registry errors.
var (
	ErrUnknownCorpus = errors.New("corpora: unknown corpus")
	ErrChecksum      = errors.New("corpora: checksum mismatch")
)

// Lookup finds a registry entry by name.
func Lookup(name string) (Entry, error) {
	for _, e := range Registry {
		if e.Name == name {
			return e, nil
		}
	}
	var names []string
	for _, e := range Registry {
		names = append(names, e.Name)
	}
	return Entry{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownCorpus, name, strings.Join(names, ", "))
}

// CacheDir is where downloaded corpora live: $TOK_CACHE/corpora, else the
// user cache directory's tok/corpora.
func CacheDir() (string, error) {
	if d := os.Getenv("TOK_CACHE"); d != "" {
		return filepath.Join(d, "corpora"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "tok", "corpora"), nil
}

// Fetcher downloads registry entries into a cache directory. Client and
// Progress may be nil.
type Fetcher struct {
	Dir      string
	Client   *http.Client
	Progress io.Writer // a line per few seconds of download, and warnings
}

// Get returns the local path of e, downloading it first if the cache does
// not hold it: the download goes to NAME.part, resumes from where a broken
// one stopped (HTTP Range), is checked against the entry's checksum, and
// only then is renamed into place (and a zip extracted).
func (f *Fetcher) Get(ctx context.Context, e Entry) (string, error) {
	dir := filepath.Join(f.Dir, e.Name)
	file := filepath.Join(dir, filepath.Base(urlPath(e.URL)))
	want := file
	if e.Member != "" {
		want = filepath.Join(dir, filepath.FromSlash(e.Member))
	}
	if _, err := os.Stat(want); err == nil {
		return want, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if _, err := os.Stat(file); err != nil {
		if err := f.download(ctx, e, file); err != nil {
			return "", err
		}
	}
	if e.Member != "" {
		if err := unzip(file, dir); err != nil {
			return "", err
		}
		if _, err := os.Stat(want); err != nil {
			return "", fmt.Errorf("corpora: %s: archive has no %s", file, e.Member)
		}
	}
	return want, nil
}

func urlPath(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

func (f *Fetcher) download(ctx context.Context, e Entry, file string) error {
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	part := file + ".part"
	have := int64(0)
	if fi, err := os.Stat(part); err == nil {
		have = fi.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL, nil)
	if err != nil {
		return err
	}
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("corpora: %s: %w (run again to resume)", e.Name, err)
	}
	defer resp.Body.Close()
	flags := os.O_CREATE | os.O_WRONLY
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		flags |= os.O_APPEND
		f.logf("%s: resuming at byte %d\n", e.Name, have)
	case resp.StatusCode == http.StatusOK:
		flags |= os.O_TRUNC
		have = 0
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && have > 0:
		// The part may already be complete; verify it below.
		resp.Body.Close()
		return f.finish(e, part, file)
	default:
		return fmt.Errorf("corpora: %s: GET %s: %s", e.Name, e.URL, resp.Status)
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return err
	}
	total := have + resp.ContentLength
	n, copyErr := io.Copy(out, &progressReader{r: resp.Body, f: f, name: e.Name, done: have, total: total, last: time.Now()})
	if err := out.Close(); err != nil && copyErr == nil {
		copyErr = err
	}
	if copyErr != nil {
		return fmt.Errorf("corpora: %s: download broken after %d bytes: %w (run again to resume)", e.Name, have+n, copyErr)
	}
	return f.finish(e, part, file)
}

// finish verifies the complete .part file and renames it into place.
func (f *Fetcher) finish(e Entry, part, file string) error {
	sum, md, size, err := hashFile(part)
	if err != nil {
		return err
	}
	bad := func(what, got, want string) error {
		os.Remove(part)
		return fmt.Errorf("%w: %s: %s %s, want %s (the download was removed)", ErrChecksum, e.Name, what, got, want)
	}
	switch {
	case e.Size > 0 && size != e.Size:
		return bad("size", fmt.Sprint(size), fmt.Sprint(e.Size))
	case e.SHA256 != "" && sum != e.SHA256:
		return bad("sha256", sum, e.SHA256)
	case e.MD5 != "" && md != e.MD5:
		return bad("md5", md, e.MD5)
	case e.SHA256 == "" && e.MD5 == "":
		f.logf("%s: warning: the registry has no checksum for this corpus; recorded sha256 %s\n", e.Name, sum)
		if err := os.WriteFile(file+".sha256", []byte(sum+"  "+filepath.Base(file)+"\n"), 0o644); err != nil {
			return err
		}
	}
	return os.Rename(part, file)
}

func hashFile(path string) (sha, md string, size int64, err error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", "", 0, err
	}
	defer fh.Close()
	h1, h2 := sha256.New(), md5.New()
	size, err = io.Copy(io.MultiWriter(h1, h2), fh)
	return hex.EncodeToString(h1.Sum(nil)), hex.EncodeToString(h2.Sum(nil)), size, err
}

func (f *Fetcher) logf(format string, args ...any) {
	if f.Progress != nil {
		fmt.Fprintf(f.Progress, format, args...)
	}
}

type progressReader struct {
	r           io.Reader
	f           *Fetcher
	name        string
	done, total int64
	last        time.Time
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if time.Since(p.last) > 3*time.Second {
		p.last = time.Now()
		if p.total > 0 {
			p.f.logf("%s: %.1f of %.1f MB\n", p.name, float64(p.done)/1e6, float64(p.total)/1e6)
		} else {
			p.f.logf("%s: %.1f MB\n", p.name, float64(p.done)/1e6)
		}
	}
	return n, err
}

// unzip extracts the regular files of a zip archive under dir, refusing
// names that would leave it.
func unzip(archive, dir string) error {
	zr, err := zip.OpenReader(archive)
	if err != nil {
		return fmt.Errorf("corpora: %s: %w", archive, err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(zf.Name))
		if !strings.HasPrefix(dst, filepath.Clean(dir)+string(filepath.Separator)) {
			return fmt.Errorf("corpora: %s: bad member name %q", archive, zf.Name)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := extractOne(zf, dst); err != nil {
			return fmt.Errorf("corpora: %s: %s: %w", archive, zf.Name, err)
		}
	}
	return nil
}

func extractOne(zf *zip.File, dst string) error {
	r, err := zf.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	out, err := os.Create(dst + ".tmp")
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(dst+".tmp", dst)
}
