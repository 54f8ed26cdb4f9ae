package blob

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestDisk(t *testing.T) {
	ctx := context.Background()
	d := &Disk{Dir: t.TempDir()}
	key, n, err := d.Put(ctx, strings.NewReader("receipt"), 100)
	if err != nil || n != 7 {
		t.Fatalf("Put = %q, %d, %v", key, n, err)
	}
	f, err := d.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "receipt" {
		t.Fatalf("read %q", b)
	}
	if _, _, err := d.Put(ctx, strings.NewReader("0123456789"), 9); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized Put: %v, want ErrTooLarge", err)
	}
	for _, bad := range []string{"", "../secret.key", "/etc/passwd", "2026-11/missing"} {
		if _, err := d.Open(ctx, bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", bad, err)
		}
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Open(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open after Delete: %v", err)
	}
}

// TestDiskModes checks that attachments are readable by their owner only,
// whatever the umask lets through.
func TestDiskModes(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	dir := filepath.Join(t.TempDir(), "attachments")
	d := &Disk{Dir: dir}
	key, _, err := d.Put(context.Background(), strings.NewReader("receipt"), 100)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		dir:                                   0o700 | os.ModeDir,
		filepath.Dir(filepath.Join(dir, key)): 0o700 | os.ModeDir,
		filepath.Join(dir, key):               0o600,
	} {
		if fi, err := os.Stat(path); err != nil || fi.Mode() != want {
			t.Errorf("%s: mode %v, %v; want %v", path, fi.Mode(), err, want)
		}
	}
}
