package exchange

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"benchlab/results"

	"github.com/google/go-cmp/cmp"
)

// FuzzImportHyperfine feeds FromHyperfine arbitrary bytes, seeded with the
// real hyperfine exports under testdata/hyperfine: it must never panic,
// and whatever it accepts must survive the archive unchanged and export as
// a document that imports again to the same trials.
func FuzzImportHyperfine(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "hyperfine", "*.json"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, name := range seeds {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"results":[{"command":"a","times":[1e-9,0],"exit_codes":[null,255],"memory_usage_byte":[1,0]}]}`))
	f.Add([]byte(`{"results":[{}]}`))
	opts := ImportOptions{Experiment: "fuzz", File: "fuzz.json", Modified: time.Unix(0, 0)}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := FromHyperfine(data, opts)
		if err != nil {
			_ = err.Error()
			return
		}
		enc, err := results.Encode(r)
		if err != nil {
			t.Fatalf("imported run does not encode: %v", err)
		}
		back, err := results.Decode(enc)
		if err != nil {
			t.Fatalf("imported run does not decode: %v", err)
		}
		if diff := cmp.Diff(r, back); diff != "" {
			t.Fatalf("archive round trip (-import +decoded):\n%s", diff)
		}
		for _, format := range Formats {
			var b bytes.Buffer
			if err := Write(format, &b, back); err != nil && format != "markdown" {
				t.Fatalf("%s export: %v", format, err)
			}
		}
		var b bytes.Buffer
		if err := WriteHyperfine(&b, back); err != nil {
			t.Fatal(err)
		}
		again, err := FromHyperfine(b.Bytes(), opts)
		if err != nil {
			t.Fatalf("export of an import does not import: %v\n%s", err, b.Bytes())
		}
		if diff := cmp.Diff(back.Trials, again.Trials); diff != "" {
			t.Errorf("import → export → import changes the trials (-first +second):\n%s", diff)
		}
	})
}
