package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/zeebo/xxh3"
)

// Shard files and input texts are hashed with XXH3-128: the manifest's
// xxh3_128 of a shard is what `xxh128sum FILE` prints (32 hex digits,
// canonical big-endian order). Format v1 used SHA-256, which ran at about
// 1 GB/s here over both the text and the shards: 5–9% of the pipeline's
// CPU, and on a many-core machine a cap on one rank's speed, since the
// writer hashes serially. XXH3 runs at tens of GB/s. The checksums guard
// against corruption and mix-ups, not against forgery; the tokenizer's
// identity stays SHA-256 of its file.
type checksum struct{ *xxh3.Hasher }

func newChecksum() checksum { return checksum{xxh3.New()} }

func (c checksum) hex() string {
	b := c.Sum128().Bytes()
	return hex.EncodeToString(b[:])
}

// VerifyShard hashes the shard file at path and compares it with the
// checksum sh records (XXH3-128, or SHA-256 in datasets of format v1). It
// returns the file's checksum, named by its algorithm ("xxh3_128 ..."),
// and whether it matches.
func VerifyShard(path string, sh ShardInfo) (sum string, ok bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	if sh.XXH3 == "" && sh.SHA256 != "" {
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return "", false, fmt.Errorf("pipeline: %s: %w", path, err)
		}
		got := hex.EncodeToString(h.Sum(nil))
		return "sha256 " + got, got == sh.SHA256, nil
	}
	h := newChecksum()
	if _, err := io.Copy(h, f); err != nil {
		return "", false, fmt.Errorf("pipeline: %s: %w", path, err)
	}
	got := h.hex()
	return "xxh3_128 " + got, got == sh.XXH3, nil
}

// Checksum returns the shard's recorded checksum named by its algorithm.
func (s ShardInfo) Checksum() string {
	if s.XXH3 == "" && s.SHA256 != "" {
		return "sha256 " + s.SHA256
	}
	return "xxh3_128 " + s.XXH3
}
