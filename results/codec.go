package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
)

// A run file is one zstd frame holding text: a header line naming the
// format version and the SHA-256 of the body, then the body, a JSON
// document. Trials are stored column by column, integers in nanoseconds
// and KiB, which compresses far better than one object per trial. The
// format is specified in README.md beside this file.
const magic = "benchlab-run"

// MaxDecodedSize bounds what a run file may decompress to, so that a
// corrupt or hostile file cannot exhaust memory. The writer refuses to
// archive a run that would exceed it, since no reader could load it.
const MaxDecodedSize = 256 << 20

// MaxFileSize bounds a run file's size on disk. A run file compresses its
// text, so it is never larger than what it decompresses to; a larger file
// (a sparse file of gigabytes, say) is refused before it is read.
const MaxFileSize = MaxDecodedSize

// ErrCorrupt marks a run file that fails its integrity checks.
var ErrCorrupt = errors.New("corrupt run file")

// ErrTooLarge marks a run too large to archive: a reader could not load it
// back (MaxDecodedSize).
var ErrTooLarge = errors.New("run too large to archive")

// The zstd encoder and decoder are built once and shared: EncodeAll and
// DecodeAll are safe for concurrent use, and building a best-compression
// encoder costs more than encoding a run. The decoder has one block
// decoder and a memory cap, so that however many files are read at once
// (Archive.Runs decodes in parallel), decompression holds at most one
// bounded buffer: eight zstd bombs cost what one does. Decompression is a
// small part of loading a run; parsing stays parallel.
var (
	codecOnce sync.Once
	encoder   *zstd.Encoder
	codecErr  error
	decoder   atomic.Pointer[limitedDecoder]
)

// limitedDecoder is the shared decoder with the decoded-size limit it was
// built for.
type limitedDecoder struct {
	dec   *zstd.Decoder
	limit int
	// stream measures frames that do not state their size; mu guards it.
	mu     sync.Mutex
	stream *zstd.Decoder
}

func newDecoder(limit int) (*limitedDecoder, error) {
	opts := []zstd.DOption{zstd.WithDecoderMaxMemory(uint64(limit)), zstd.WithDecoderConcurrency(1)}
	dec, err := zstd.NewReader(nil, opts...)
	if err != nil {
		return nil, err
	}
	stream, err := zstd.NewReader(nil, append(opts, zstd.WithDecoderLowmem(true))...)
	if err != nil {
		return nil, err
	}
	return &limitedDecoder{dec: dec, limit: limit, stream: stream}, nil
}

// decode decompresses data into a buffer of exactly the decoded size,
// allocated once, so that reading a file costs what it holds and a
// hostile one costs nothing much. A frame that states its content size
// (every frame benchlab writes) is refused above the limit before
// anything is decoded; one that does not is first decompressed into
// nothing to learn its size, at the cost of decoding it twice.
func (d *limitedDecoder) decode(data []byte) ([]byte, error) {
	var h zstd.Header
	if err := h.Decode(data); err != nil {
		return nil, err
	}
	size := h.FrameContentSize
	if !h.HasFCS {
		d.mu.Lock()
		defer d.mu.Unlock()
		if err := d.stream.Reset(bytes.NewReader(data)); err != nil {
			return nil, err
		}
		n, err := io.Copy(io.Discard, io.LimitReader(d.stream, int64(d.limit)+1))
		if err != nil {
			return nil, err
		}
		size = uint64(n)
	}
	if size > uint64(d.limit) {
		return nil, zstd.ErrDecoderSizeExceeded
	}
	return d.dec.DecodeAll(data, make([]byte, 0, size))
}

func codecs() (*zstd.Encoder, *limitedDecoder, error) {
	codecOnce.Do(func() {
		encoder, codecErr = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
		if codecErr != nil {
			return
		}
		var d *limitedDecoder
		if d, codecErr = newDecoder(MaxDecodedSize); codecErr == nil {
			decoder.CompareAndSwap(nil, d)
		}
	})
	return encoder, decoder.Load(), codecErr
}

// setDecodeLimit makes the reader and the writer use limit instead of
// MaxDecodedSize until the returned function is called: tests use it to
// check the limits without writing hundreds of megabytes.
func setDecodeLimit(limit int) (restore func(), err error) {
	if _, _, err := codecs(); err != nil {
		return nil, err
	}
	d, err := newDecoder(limit)
	if err != nil {
		return nil, err
	}
	old := decoder.Swap(d)
	return func() { decoder.Store(old) }, nil
}

// columnsV1 is the trials layout of format 1: one JSON array per field.
type columnsV1 struct {
	Strategy  []int   `json:"strategy"`
	Round     []int   `json:"round"`
	Warmup    []bool  `json:"warmup"`
	WallNS    []int64 `json:"wall_ns"`
	UserNS    []int64 `json:"user_ns"`
	SysNS     []int64 `json:"sys_ns"`
	MaxRSSKiB []int64 `json:"max_rss_kib"`
	ExitCode  []int   `json:"exit_code"`
	Signal    []int   `json:"signal"`
	TimedOut  []bool  `json:"timed_out"`
}

func (c columnsV1) trials() ([]Trial, error) {
	n := len(c.WallNS)
	for _, l := range []int{len(c.Strategy), len(c.Round), len(c.Warmup), len(c.UserNS), len(c.SysNS),
		len(c.MaxRSSKiB), len(c.ExitCode), len(c.Signal), len(c.TimedOut)} {
		if l != n {
			return nil, fmt.Errorf("%w: trial columns differ in length", ErrCorrupt)
		}
	}
	ts := make([]Trial, n)
	for i := range ts {
		ts[i] = Trial{Strategy: c.Strategy[i], Round: c.Round[i], Warmup: c.Warmup[i],
			WallNS: c.WallNS[i], UserNS: c.UserNS[i], SysNS: c.SysNS[i], MaxRSSKiB: c.MaxRSSKiB[i],
			ExitCode: c.ExitCode[i], Signal: c.Signal[i], TimedOut: c.TimedOut[i]}
	}
	return ts, nil
}

// column is one integer field of every trial in format 2: the field's
// value for trial i is Scale × Values[i]. Scale is the largest power of ten
// dividing every value (1000 for CPU times, which the kernel reports in
// microseconds), so the digits that are always zero are not stored.
type column struct {
	Scale  int64   `json:"scale"`
	Values []int64 `json:"values"`
}

// columnsV2 is the trials layout of format 2. Booleans are 0 or 1.
type columnsV2 struct {
	N         int    `json:"n"`
	Strategy  column `json:"strategy"`
	Round     column `json:"round"`
	Warmup    column `json:"warmup"`
	WallNS    column `json:"wall_ns"`
	UserNS    column `json:"user_ns"`
	SysNS     column `json:"sys_ns"`
	MaxRSSKiB column `json:"max_rss_kib"`
	ExitCode  column `json:"exit_code"`
	Signal    column `json:"signal"`
	TimedOut  column `json:"timed_out"`
	// Unknown is each trial's Unknown bits, present only when some trial
	// lacks a field (imported runs): readers that predate it see the
	// column's zeros, which is what they saw before it existed.
	Unknown *column `json:"unknown,omitempty"`
}

// fields lists the columns of c with their names, in file order.
func (c *columnsV2) fields() []struct {
	name string
	col  *column
} {
	return []struct {
		name string
		col  *column
	}{
		{"strategy", &c.Strategy}, {"round", &c.Round}, {"warmup", &c.Warmup},
		{"wall_ns", &c.WallNS}, {"user_ns", &c.UserNS}, {"sys_ns", &c.SysNS},
		{"max_rss_kib", &c.MaxRSSKiB}, {"exit_code", &c.ExitCode}, {"signal", &c.Signal},
		{"timed_out", &c.TimedOut},
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func toColumnsV2(ts []Trial) *columnsV2 {
	c := &columnsV2{N: len(ts)}
	get := []func(Trial) int64{
		func(t Trial) int64 { return int64(t.Strategy) }, func(t Trial) int64 { return int64(t.Round) },
		func(t Trial) int64 { return b2i(t.Warmup) }, func(t Trial) int64 { return t.WallNS },
		func(t Trial) int64 { return t.UserNS }, func(t Trial) int64 { return t.SysNS },
		func(t Trial) int64 { return t.MaxRSSKiB }, func(t Trial) int64 { return int64(t.ExitCode) },
		func(t Trial) int64 { return int64(t.Signal) }, func(t Trial) int64 { return b2i(t.TimedOut) },
	}
	for i, f := range c.fields() {
		vs := make([]int64, len(ts))
		for j, t := range ts {
			vs[j] = get[i](t)
		}
		scale := commonPow10(vs)
		for j := range vs {
			vs[j] /= scale
		}
		*f.col = column{Scale: scale, Values: vs}
	}
	for j, t := range ts {
		if t.Unknown != 0 {
			if c.Unknown == nil {
				c.Unknown = &column{Scale: 1, Values: make([]int64, len(ts))}
			}
			c.Unknown.Values[j] = int64(t.Unknown)
		}
	}
	return c
}

// commonPow10 returns the largest power of ten (up to 10⁹) dividing every
// value; 1 when there are none or all are zero.
func commonPow10(vs []int64) int64 {
	scale := int64(1)
	for scale < 1e9 {
		next, any := scale*10, false
		for _, v := range vs {
			if v%next != 0 {
				return scale
			}
			any = any || v != 0
		}
		if !any {
			return 1
		}
		scale = next
	}
	return scale
}

func (c *columnsV2) trials() ([]Trial, error) {
	if c.N < 0 {
		return nil, fmt.Errorf("%w: trials.n is %d", ErrCorrupt, c.N)
	}
	vals := make([][]int64, 0, 10)
	for _, f := range c.fields() {
		if len(f.col.Values) != c.N {
			return nil, fmt.Errorf("%w: trials.%s has %d values, trials.n says %d", ErrCorrupt, f.name, len(f.col.Values), c.N)
		}
		if f.col.Scale < 1 {
			return nil, fmt.Errorf("%w: trials.%s.scale is %d, want at least 1", ErrCorrupt, f.name, f.col.Scale)
		}
		vs := make([]int64, c.N)
		for i, v := range f.col.Values {
			vs[i] = v * f.col.Scale
			if f.col.Scale != 1 && vs[i]/f.col.Scale != v {
				return nil, fmt.Errorf("%w: trials.%s: %d × %d overflows", ErrCorrupt, f.name, v, f.col.Scale)
			}
		}
		vals = append(vals, vs)
	}
	if u := c.Unknown; u != nil {
		if len(u.Values) != c.N || u.Scale != 1 {
			return nil, fmt.Errorf("%w: trials.unknown has %d values at scale %d, want %d at scale 1", ErrCorrupt, len(u.Values), u.Scale, c.N)
		}
		for i, v := range u.Values {
			if v < 0 || v > int64(UnknownAll) {
				return nil, fmt.Errorf("%w: trials.unknown[%d] is %d, not a set of known flags", ErrCorrupt, i, v)
			}
		}
	}
	if c.N == 0 {
		return nil, nil
	}
	ts := make([]Trial, c.N)
	for i := range ts {
		ts[i] = Trial{
			Strategy: int(vals[0][i]), Round: int(vals[1][i]), Warmup: vals[2][i] != 0,
			WallNS: vals[3][i], UserNS: vals[4][i], SysNS: vals[5][i], MaxRSSKiB: vals[6][i],
			ExitCode: int(vals[7][i]), Signal: int(vals[8][i]), TimedOut: vals[9][i] != 0,
		}
		if c.Unknown != nil {
			ts[i].Unknown = Unknown(c.Unknown.Values[i])
		}
	}
	return ts, nil
}

// appendTrials writes the trials object of format 2: one line per column,
// numbers without spaces, so that the file stays readable and each column
// compresses as a run of similar digits.
func (c *columnsV2) appendTo(b []byte) []byte {
	b = fmt.Appendf(b, "{\n  \"n\": %d", c.N)
	for _, f := range c.fields() {
		b = fmt.Appendf(b, ",\n  %q: {\"scale\": %d, \"values\": [", f.name, f.col.Scale)
		for i, v := range f.col.Values {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, v, 10)
		}
		b = append(b, "]}"...)
	}
	if c.Unknown != nil {
		b = append(b, ",\n  \"unknown\": {\"scale\": 1, \"values\": ["...)
		for i, v := range c.Unknown.Values {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, v, 10)
		}
		b = append(b, "]}"...)
	}
	return append(b, "\n }"...)
}

type runAlias Run

// Encode returns the run file bytes for r in format r.Format, which must be
// FormatVersion: older formats are read, never written.
func Encode(r *Run) ([]byte, error) {
	if r.Format != FormatVersion {
		return nil, fmt.Errorf("encode run %s: format %d, this benchlab writes only %d", r.ID, r.Format, FormatVersion)
	}
	meta, err := json.MarshalIndent((*runAlias)(r), "", " ")
	if err != nil {
		return nil, fmt.Errorf("encode run %s: %w", r.ID, err)
	}
	// Splice the trials in as the last member: "…\n}" becomes
	// "…,\n \"trials\": {…}\n}".
	body := make([]byte, 0, len(meta)+len(r.Trials)*64+256)
	body = append(body, meta[:len(meta)-2]...)
	body = append(body, ",\n \"trials\": "...)
	body = toColumnsV2(r.Trials).appendTo(body)
	body = append(body, "\n}\n"...)

	sum := sha256.Sum256(body)
	plain := make([]byte, 0, len(body)+100)
	plain = fmt.Appendf(plain, "%s %d sha256:%s\n", magic, r.Format, hex.EncodeToString(sum[:]))
	plain = append(plain, body...)
	enc, dec, err := codecs()
	if err != nil {
		return nil, fmt.Errorf("encode run %s: %w", r.ID, err)
	}
	if len(plain) > dec.limit {
		return nil, fmt.Errorf("encode run %s: %w: its record is %d bytes, more than the %d a reader accepts (MaxDecodedSize); record fewer or smaller files, or run fewer trials", r.ID, ErrTooLarge, len(plain), dec.limit)
	}
	out := enc.EncodeAll(plain, nil)
	if len(out) > min(dec.limit, MaxFileSize) {
		return nil, fmt.Errorf("encode run %s: %w: %d bytes compressed, more than the %d a reader accepts (MaxFileSize)", r.ID, ErrTooLarge, len(out), min(dec.limit, MaxFileSize))
	}
	return out, nil
}

// Decode reads run file bytes of any format up to FormatVersion, verifying
// the compression frame, the size bound, the header, the checksum and the
// record's own consistency. The Run it returns has Format set to the
// version the file was written in.
func Decode(data []byte) (*Run, error) {
	_, dec, err := codecs()
	if err != nil {
		return nil, err
	}
	if len(data) > min(dec.limit, MaxFileSize) {
		return nil, fmt.Errorf("%w: %d bytes, more than a run file may be (%d)", ErrCorrupt, len(data), min(dec.limit, MaxFileSize))
	}
	plain, err := dec.decode(data)
	if err != nil {
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.Is(err, zstd.ErrWindowSizeExceeded) {
			return nil, fmt.Errorf("%w: decompresses to more than %d bytes", ErrCorrupt, dec.limit)
		}
		return nil, fmt.Errorf("%w: not a complete zstd frame: %v", ErrCorrupt, err)
	}
	if len(plain) > dec.limit {
		return nil, fmt.Errorf("%w: decompresses to more than %d bytes", ErrCorrupt, dec.limit)
	}
	header, body, ok := bytes.Cut(plain, []byte("\n"))
	if !ok {
		return nil, fmt.Errorf("%w: no header line", ErrCorrupt)
	}
	version, sumHex, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != sumHex {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	r := new(Run)
	switch version {
	case 1:
		w := struct {
			*runAlias
			Trials columnsV1 `json:"trials"`
		}{runAlias: (*runAlias)(r)}
		if err := json.Unmarshal(body, &w); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if r.Trials, err = w.Trials.trials(); err != nil {
			return nil, err
		}
	default:
		if !decodeV2Fast(body, r) {
			if r, err = decodeV2JSON(body); err != nil {
				return nil, err
			}
		}
	}
	for i, t := range r.Trials {
		if t.Strategy < 0 || t.Strategy >= len(r.Strategies) {
			return nil, fmt.Errorf("%w: trial %d names strategy %d of %d", ErrCorrupt, i, t.Strategy, len(r.Strategies))
		}
	}
	if r.Format != version {
		return nil, fmt.Errorf("%w: header says format %d, record says %d", ErrCorrupt, version, r.Format)
	}
	// These names become paths (archive folders, export file names): a
	// record that would lead outside the archive is refused outright.
	for _, n := range []struct{ what, name string }{{"machine ID", r.Machine.ID}, {"experiment", r.Experiment}, {"run ID", r.ID}} {
		if err := CheckName(n.what, n.name); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
	}
	return r, nil
}

// decodeV2JSON decodes a format-2 body with encoding/json: any layout a
// JSON writer may produce, and the error for one it may not.
func decodeV2JSON(body []byte) (*Run, error) {
	r := new(Run)
	w := struct {
		*runAlias
		Trials *columnsV2 `json:"trials"`
	}{runAlias: (*runAlias)(r)}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if w.Trials == nil {
		return nil, fmt.Errorf("%w: no trials object", ErrCorrupt)
	}
	var err error
	if r.Trials, err = w.Trials.trials(); err != nil {
		return nil, err
	}
	return r, nil
}

// parseHeader reads "benchlab-run <version> sha256:<64 hex digits>".
func parseHeader(header []byte) (version int, sumHex string, err error) {
	rest, ok := bytes.CutPrefix(header, []byte(magic+" "))
	if !ok {
		return 0, "", fmt.Errorf("%w: not a benchlab run (header %.40q)", ErrCorrupt, header)
	}
	v, sum, ok := bytes.Cut(rest, []byte(" sha256:"))
	if !ok {
		return 0, "", fmt.Errorf("%w: header %.80q has no sha256", ErrCorrupt, header)
	}
	version, err = strconv.Atoi(string(v))
	if err != nil || version < 1 {
		return 0, "", fmt.Errorf("%w: header %.80q has no format version", ErrCorrupt, header)
	}
	if version > FormatVersion {
		return 0, "", fmt.Errorf("run format %d is newer than this benchlab reads (%d): upgrade benchlab", version, FormatVersion)
	}
	if len(sum) != sha256.Size*2 {
		return 0, "", fmt.Errorf("%w: header %.80q: sha256 is not 64 hex digits", ErrCorrupt, header)
	}
	return version, string(sum), nil
}
