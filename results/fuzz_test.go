package results

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode feeds Decode arbitrary bytes (seeded with real run files of
// every format): it must never panic, and whatever it accepts must encode
// and decode back to the same run.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"format1.run.zst", "format2.run.zst"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Decode(data)
		if err != nil {
			_ = err.Error()
			return
		}
		r.Format = FormatVersion
		again, err := Encode(r)
		if err != nil {
			t.Fatalf("decoded run does not encode: %v", err)
		}
		back, err := Decode(again)
		if err != nil {
			t.Fatalf("re-encoded run does not decode: %v", err)
		}
		if diff := cmp.Diff(r, back); diff != "" {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}
