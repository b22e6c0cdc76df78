package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// A run file is zstd-compressed text: one header line naming the format and
// the SHA-256 of the body, then the body, a JSON document whose trials are
// stored column by column (integers in nanoseconds and KiB), which
// compresses far better than one object per trial.
const magic = "benchlab-run"

// MaxDecodedSize bounds what a run file may decompress to, so that a
// corrupt or hostile file cannot exhaust memory.
const MaxDecodedSize = 256 << 20

// ErrCorrupt marks a run file that fails its integrity checks.
var ErrCorrupt = errors.New("corrupt run file")

// columns is the on-disk layout of a run's trials.
type columns struct {
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

type runAlias Run

type wireRun struct {
	*runAlias
	Trials columns `json:"trials"`
}

func toColumns(ts []Trial) columns {
	n := len(ts)
	c := columns{
		Strategy: make([]int, n), Round: make([]int, n), Warmup: make([]bool, n),
		WallNS: make([]int64, n), UserNS: make([]int64, n), SysNS: make([]int64, n),
		MaxRSSKiB: make([]int64, n), ExitCode: make([]int, n), Signal: make([]int, n),
		TimedOut: make([]bool, n),
	}
	for i, t := range ts {
		c.Strategy[i], c.Round[i], c.Warmup[i] = t.Strategy, t.Round, t.Warmup
		c.WallNS[i], c.UserNS[i], c.SysNS[i], c.MaxRSSKiB[i] = t.WallNS, t.UserNS, t.SysNS, t.MaxRSSKiB
		c.ExitCode[i], c.Signal[i], c.TimedOut[i] = t.ExitCode, t.Signal, t.TimedOut
	}
	return c
}

func (c columns) trials() ([]Trial, error) {
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

// Encode returns the run file bytes for r.
func Encode(r *Run) ([]byte, error) {
	body, err := json.MarshalIndent(wireRun{runAlias: (*runAlias)(r), Trials: toColumns(r.Trials)}, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encode run: %w", err)
	}
	sum := sha256.Sum256(body)
	var plain bytes.Buffer
	fmt.Fprintf(&plain, "%s %d sha256:%s\n", magic, r.Format, hex.EncodeToString(sum[:]))
	plain.Write(body)
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	if err != nil {
		return nil, fmt.Errorf("encode run: %w", err)
	}
	defer enc.Close()
	return enc.EncodeAll(plain.Bytes(), nil), nil
}

// Decode reads run file bytes, verifying the compression frame, the
// header, the checksum and the record's own consistency.
func Decode(data []byte) (*Run, error) {
	dec, err := zstd.NewReader(bytes.NewReader(data), zstd.WithDecoderMaxMemory(MaxDecodedSize), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("%w: not zstd: %v", ErrCorrupt, err)
	}
	defer dec.Close()
	plain, err := io.ReadAll(io.LimitReader(dec, MaxDecodedSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if len(plain) > MaxDecodedSize {
		return nil, fmt.Errorf("%w: decompresses to more than %d bytes", ErrCorrupt, MaxDecodedSize)
	}
	header, body, ok := bytes.Cut(plain, []byte("\n"))
	var version int
	var sumHex string
	if !ok {
		return nil, fmt.Errorf("%w: no header line", ErrCorrupt)
	}
	if _, err := fmt.Sscanf(string(header), magic+" %d sha256:%s", &version, &sumHex); err != nil {
		return nil, fmt.Errorf("%w: not a benchlab run (header %.40q)", ErrCorrupt, header)
	}
	if version < 1 || version > FormatVersion {
		return nil, fmt.Errorf("run format %d is newer than this benchlab reads (%d): upgrade benchlab", version, FormatVersion)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != sumHex {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	r := new(Run)
	w := wireRun{runAlias: (*runAlias)(r)}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if r.Trials, err = w.Trials.trials(); err != nil {
		return nil, err
	}
	for _, t := range r.Trials {
		if t.Strategy < 0 || t.Strategy >= len(r.Strategies) {
			return nil, fmt.Errorf("%w: trial names strategy %d of %d", ErrCorrupt, t.Strategy, len(r.Strategies))
		}
	}
	if r.Format != version {
		return nil, fmt.Errorf("%w: header says format %d, record says %d", ErrCorrupt, version, r.Format)
	}
	return r, nil
}
