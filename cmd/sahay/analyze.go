package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sahayhq/sahay/internal/nlp"
)

// maxAnalyzeLine bounds one line of "sahay analyze"'s input; a longer line is
// analyzed by its beginning.
const maxAnalyzeLine = 64 << 10

func analyze(fs *flag.FlagSet, e *cmdIO) func(context.Context) error {
	accuracy := fs.Bool("accuracy", false, "read the labelled TSV files named as arguments and print the accuracy per variant as Markdown")
	return func(ctx context.Context) error {
		if *accuracy {
			if fs.NArg() == 0 {
				return &usageError{msg: "-accuracy needs one or more labelled files"}
			}
			return analyzeAccuracy(fs.Args(), e)
		}
		if fs.NArg() > 0 {
			return &usageError{msg: "messages are read from standard input; files are read only with -accuracy"}
		}
		return analyzeLines(ctx, e)
	}
}

// analyzeLines prints the analysis of each line of standard input as one
// JSON object per line.
func analyzeLines(ctx context.Context, e *cmdIO) error {
	in := bufio.NewReaderSize(e.stdin, maxAnalyzeLine)
	out := bufio.NewWriter(e.stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := in.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			fmt.Fprintf(e.stderr, "sahay analyze: line %d is longer than %d KiB; analyzed its beginning\n", n, maxAnalyzeLine>>10)
			text := string(line)
			if err = skipLine(in); err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("analyze: read line %d: %w", n, err)
			}
			line, err = []byte(text), nil
		}
		if len(line) == 0 && errors.Is(err, io.EOF) {
			return out.Flush()
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("analyze: read line %d: %w", n, err)
		}
		text := trimLineEnd(line)
		if encErr := enc.Encode(nlp.Analyze(text)); encErr != nil {
			return fmt.Errorf("analyze: write: %w", encErr)
		}
		// A person typing expects each answer at once; a pipe is flushed
		// when the buffer fills.
		if in.Buffered() == 0 {
			if err := out.Flush(); err != nil {
				return fmt.Errorf("analyze: write: %w", err)
			}
		}
		if errors.Is(err, io.EOF) {
			return out.Flush()
		}
	}
}

// skipLine discards the rest of a line too long for the reader's buffer.
func skipLine(in *bufio.Reader) error {
	for {
		_, err := in.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

func trimLineEnd(line []byte) string {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return string(line)
}

// analyzeAccuracy prints the accuracy table of each labelled file.
func analyzeAccuracy(files []string, e *cmdIO) error {
	for i, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
		set, err := nlp.ReadLabelled(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("analyze: %s: %w", name, err)
		}
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "%s (%d messages)\n\n%s", filepath.Base(name), len(set), nlp.Accuracy(set))
	}
	return nil
}
