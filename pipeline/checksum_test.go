package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// The expected values are what xxh128sum (xxhsum 0.8.1, Debian's xxhash
// package) prints: `printf %s TEXT | xxh128sum`, and `xxh128sum FILE` for
// the shared corpus files.
func TestChecksum_KnownAnswers(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"empty", "", "99aa06d3014798d86001c324468d497f"},
		{"a", "a", "a96faf705af16834e6c632b61e964e1f"},
		{"hello", "hello", "b5e9c1ad071b3e7fc779cfaa5e523818"},
		{"300 x", strings.Repeat("x", 300), "125237ea2ad7bc7aa5d1b4607dc83554"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newChecksum()
			// In two writes, as the shard writer streams its bytes.
			h.Write([]byte(c.text[:len(c.text)/3]))
			h.Write([]byte(c.text[len(c.text)/3:]))
			if got := h.hex(); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
	for _, c := range []struct{ file, want string }{
		{"corpora/en-tinyshakespeare.txt", "50654ad78d4895bee45d4c6f07be4a32"},
		{"corpora/ar.txt", "31caf772335f384612b428b5fd2b0c3f"},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := sharedtest.Path(t, c.file)
			sum, ok, err := VerifyShard(path, ShardInfo{XXH3: c.want})
			if err != nil || !ok || sum != "xxh3_128 "+c.want {
				t.Errorf("VerifyShard = %q, %v, %v; want a match with %s", sum, ok, err, c.want)
			}
		})
	}
}

func TestVerifyShard_Mismatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shard.arrow")
	if err := os.WriteFile(path, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		sh     ShardInfo
		wantOK bool
	}{
		{"xxh3 match", ShardInfo{XXH3: "b5e9c1ad071b3e7fc779cfaa5e523818"}, true},
		{"xxh3 mismatch", ShardInfo{XXH3: "b5e9c1ad071b3e7fc779cfaa5e523819"}, false},
		// printf hello | sha256sum
		{"v1 sha256 match", ShardInfo{SHA256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}, true},
		{"v1 sha256 mismatch", ShardInfo{SHA256: "3cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, ok, err := VerifyShard(path, c.sh)
			if err != nil || ok != c.wantOK {
				t.Errorf("got ok %v err %v, want ok %v", ok, err, c.wantOK)
			}
		})
	}
	if _, _, err := VerifyShard(path+".missing", ShardInfo{XXH3: "x"}); err == nil {
		t.Error("a missing file verified")
	}
}
