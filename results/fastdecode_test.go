package results

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// encodedBody is the body (after the header line) Encode writes for r.
func encodedBody(t testing.TB, r *Run) []byte {
	t.Helper()
	data, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	_, dec, _ := codecs()
	plain, err := dec.dec.DecodeAll(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := bytes.Cut(plain, []byte("\n"))
	return body
}

// TestDecodeV2FastAgrees checks the fast path against encoding/json on
// what Encode writes, and that it steps aside for every other layout.
func TestDecodeV2FastAgrees(t *testing.T) {
	start := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	body := encodedBody(t, SyntheticRun(7, 3, 5, start))
	unknown := SyntheticRun(9, 2, 2, start)
	for i := range unknown.Trials {
		unknown.Trials[i].Unknown = UnknownUser | UnknownSys
	}
	empty := SyntheticRun(8, 2, 0, start)
	empty.Trials = nil
	tests := []struct {
		why    string
		body   []byte
		wantOK bool
	}{
		{"the writer's own layout takes the fast path", body, true},
		{"a run without trials takes the fast path", encodedBody(t, empty), true},
		{"a run with unknown fields takes the fast path", encodedBody(t, unknown), true},
		{"trials not last is left to encoding/json", bytes.Replace(body, []byte("\n \"trials\": "), []byte("\n \"trials\":"), 1), false},
		{"a float among the values is left to encoding/json", bytes.Replace(body, []byte(`"round": {"scale": 1, "values": [0,`), []byte(`"round": {"scale": 1, "values": [0.0,`), 1), false},
		{"an exponent is left to encoding/json", bytes.Replace(body, []byte(`"warmup": {"scale": 1, "values": [1,`), []byte(`"warmup": {"scale": 1, "values": [1e0,`), 1), false},
		{"a short column is left to encoding/json", bytes.Replace(body, []byte(`"signal": {"scale": 1, "values": [0,`), []byte(`"signal": {"scale": 1, "values": [`), 1), false},
		{"a member after trials is left to encoding/json", append(bytes.Clone(bytes.TrimSuffix(body, []byte("}\n"))), []byte(`,"x":1}`)...), false},
		{"no member before trials is left to encoding/json", append([]byte("{"), body[bytes.LastIndex(body, trialsMember)-1:]...), false},
		{"a huge n is left to encoding/json", bytes.Replace(body, []byte(`"n": 18`), []byte(`"n": 99999999999`), 1), false},
	}
	for _, tt := range tests {
		fast := new(Run)
		ok := decodeV2Fast(tt.body, fast)
		if ok != tt.wantOK {
			t.Errorf("%s: fast path ok = %v, want %v", tt.why, ok, tt.wantOK)
			continue
		}
		if !ok {
			continue
		}
		slow, err := decodeV2JSON(tt.body)
		if err != nil {
			t.Errorf("%s: encoding/json refuses what the fast path took: %v", tt.why, err)
			continue
		}
		if diff := cmp.Diff(slow, fast); diff != "" {
			t.Errorf("%s: fast path differs from encoding/json (-json +fast):\n%s", tt.why, diff)
		}
	}
	if !strings.Contains(string(body), `"n": 18`) {
		t.Fatal("the synthetic run no longer has 18 trials: update the huge-n row")
	}
}

// FuzzDecodeV2Fast checks that whatever the fast path accepts,
// encoding/json accepts too and decodes to the same run.
func FuzzDecodeV2Fast(f *testing.F) {
	f.Add(encodedBody(f, SyntheticRun(1, 2, 3, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))))
	f.Fuzz(func(t *testing.T, body []byte) {
		fast := new(Run)
		if !decodeV2Fast(body, fast) {
			return
		}
		slow, err := decodeV2JSON(body)
		if err != nil {
			t.Fatalf("fast path took a body encoding/json refuses: %v", err)
		}
		if diff := cmp.Diff(slow, fast); diff != "" {
			t.Errorf("fast path differs from encoding/json (-json +fast):\n%s", diff)
		}
	})
}
