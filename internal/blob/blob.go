// Package blob stores attachment files. Disk keeps them under the data
// directory; the Store interface is what an S3-compatible implementation
// would satisfy.
package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Store keeps files by key.
type Store interface {
	// Put stores r under a new key and returns the key and the size.
	Put(ctx context.Context, r io.Reader, maxSize int64) (key string, size int64, err error)
	// Open returns the file of a key.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	// Delete removes a file; a missing one is no error.
	Delete(ctx context.Context, key string) error
}

// ErrTooLarge is returned by Put when the file exceeds the limit.
var ErrTooLarge = errors.New("blob: file too large")

// ErrNotFound is returned by Open for an unknown key.
var ErrNotFound = errors.New("blob: not found")

// Disk stores files in a directory, one subdirectory per month.
type Disk struct {
	Dir string
}

var _ Store = (*Disk)(nil)

// Put implements [Store]. The file is written to a temporary name and
// renamed, so a reader never sees half a file.
func (d *Disk) Put(ctx context.Context, r io.Reader, maxSize int64) (string, int64, error) {
	var rnd [16]byte
	rand.Read(rnd[:])
	key := time.Now().UTC().Format("2006-01") + "/" + hex.EncodeToString(rnd[:])
	path := filepath.Join(d.Dir, filepath.FromSlash(key))
	// Readable by Sahay's user only, like the temporary file (mode 0600).
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	defer os.Remove(f.Name())
	n, err := io.Copy(f, io.LimitReader(r, maxSize+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("blob: write: %w", err)
	}
	if n > maxSize {
		return "", 0, ErrTooLarge
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	return key, n, nil
}

func (d *Disk) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") {
		return "", ErrNotFound
	}
	return filepath.Join(d.Dir, filepath.FromSlash(key)), nil
}

// Open implements [Store].
func (d *Disk) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	path, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// Delete implements [Store].
func (d *Disk) Delete(ctx context.Context, key string) error {
	path, err := d.path(key)
	if err != nil {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob: %w", err)
	}
	return nil
}
