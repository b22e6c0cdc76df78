// Command fidelity is `make bench`: it checks benchlab's harness against
// hyperfine and against the cheapest possible fork-exec-wait loop, and
// measures what adaptive runs save.
//
//	go run ./bench/fidelity [-dir /tmp/benchlab-bench] [-pin 1] [-rounds 4]
//
// The subjects (bench/subjects/build.sh builds them into -dir) are a static
// no-op, a fixed busy loop, a fixed sleep and the six async-fn-pointers
// strategies at reduced iterations. benchlab's harness times them all
// interleaved in one run, as an experiment would (harness.Run, children
// pinned to -pin, benchlab's own threads on the other CPUs, the default
// priming of short strategies), and `taskset -c PIN hyperfine -N` each on
// its own, back to back, and again interleaved by hand (hyperfineByHand);
// the three passes alternate, -rounds times, so that a drift of the
// machine hits them alike. Printed per subject: benchlab's and hyperfine's
// back-to-back means, their ratio (the geometric mean of the rounds'
// ratios of block means, see roundsRatio) with its interval, and the
// σ/mean of all three passes, with the targets of issues 3 and 12:
//
//   - every ratio benchlab/hyperfine within 1.00 ± 0.03, interleaved: not
//     shown outside it (the ratio's interval reaches the band), and said
//     so when the interval crosses an edge of the band;
//   - benchlab's σ/mean no worse than hyperfine's: not shown worse than
//     hyperfine's interleaved by hand, whose runs span as long (the
//     interval of the ratio of the rounds' spreads of log times, see
//     spreadRatio, reaches 1);
//   - on the no-op, benchlab's mean no more than hyperfine's (not shown
//     above it: the ratio's two-sided 95% interval, a one-sided test at
//     2.5%, reaches 1), and no more than 1.10 times the floor (spawnloop:
//     posix_spawn + wait4 in a loop), judged side by side with it (the
//     default harness and the floor alternating in rounds, see floorGap:
//     not shown above 1.10), with where the rest goes.
//
// The first two are tested on every subject, so their intervals are at 95%
// for the subjects together (Bonferroni: 99.4% each for nine subjects).
// Each compares noisy estimates; the second and third compare two of which
// either is above the other about half the time when the truth is equal,
// so that a point comparison would mark a tie ✗ as often as ✓. So each is
// marked ✗ only when the data show the miss, with the figures beside it.
//
// Then (interleave.go) the measurement behind the interleaving policy (the
// no-op between sleeping neighbours, policy off, busy and primed, against
// hyperfine) and the drift check: a load started halfway through an
// interleaved run lands on every strategy alike.
//
// Then the six strategies run with runs = "auto" (±1% at 95%) and with
// hyperfine's defaults (at least 10 runs and 3 s each); printed: the wall
// time each needed and the precision each reached, then where benchlab's
// time went (warm-up, counted trials, priming runs) and each tool's time
// to ±1% at its own σ/μ and time per run, which compares the two at equal
// precision.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"benchlab/analysis"
	"benchlab/experiments"
	"benchlab/harness"
	"benchlab/harness/spawn"
	"benchlab/results"
)

// subject is one program timed by both tools.
type subject struct {
	name   string
	argv   []string
	block  int // runs per block, per tool
	warmup int // warm-up runs per block, per tool
}

// strategies are the six strategies of the post, as built by build.sh.
var strategies = []string{
	"function-pointer", "boxed-function-pointer", "async-func",
	"async-boxed-naive", "async-boxed-invert", "async-enum",
}

func main() {
	dir := flag.String("dir", "/tmp/benchlab-bench", "`folder` the subjects were built into (bench/subjects/build.sh)")
	pin := flag.Int("pin", 1, "the `CPU` the subjects run on")
	rounds := flag.Int("rounds", 4, "rounds, each with a block per subject of every pass (benchlab, hyperfine back to back, hyperfine by hand)")
	skipAuto := flag.Bool("skip-auto", false, "skip the adaptive-runs comparison")
	withStrategies := flag.Bool("strategies", true, "include the six async-fn-pointers strategies (built by build.sh)")
	onlyInterleave := flag.Bool("only-interleave", false, "run only the interleaving measurement and the drift check")
	onlyAdaptive := flag.Bool("only-adaptive", false, "run only the adaptive-runs comparison")
	onlyDrift := flag.Bool("only-drift", false, "run only the drift check")
	driftRuns := flag.Int("drift-runs", defaultDriftRuns, "counted runs per strategy of the drift check's interleaved run (the load starts halfway)")
	autoBlock := flag.Int("auto-block", 16, "trials.block of the adaptive runs: a short strategy's primed trials in blocks of up to `N` back to back (1: none)")
	flag.Parse()
	if n := btoi(*onlyInterleave) + btoi(*onlyAdaptive) + btoi(*onlyDrift); n > 1 {
		fmt.Fprintln(os.Stderr, "fidelity: -only-interleave, -only-adaptive and -only-drift exclude one another")
		os.Exit(2)
	}
	if *driftRuns < 4 {
		fmt.Fprintln(os.Stderr, "fidelity: -drift-runs must be 4 or more")
		os.Exit(2)
	}
	if *rounds < 3 {
		// One round gives the ratios no interval, two an interval 12.7
		// standard errors wide (see roundsRatio).
		fmt.Fprintln(os.Stderr, "fidelity: -rounds must be 3 or more")
		os.Exit(2)
	}
	var err error
	switch {
	case *onlyInterleave:
		err = runInterleave(*dir, *pin, *rounds, *driftRuns, os.Stdout)
	case *onlyDrift:
		err = runDrift(*dir, *pin, *driftRuns, os.Stdout)
	case *onlyAdaptive:
		err = runAdaptive(*dir, *pin, *autoBlock, os.Stdout)
	default:
		err = run(*dir, *pin, *rounds, *autoBlock, *driftRuns, *skipAuto, *withStrategies, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fidelity:", err)
		os.Exit(1)
	}
}

// btoi is 1 for true.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// runDrift runs the drift check alone (-only-drift).
func runDrift(dir string, pin, runs int, w io.Writer) error {
	return alone(w, pin, func(string) (bool, []bool, error) {
		ok, open, err := drift(w, dir, pin, runs)
		return ok, []bool{open}, err
	})
}

// runAdaptive runs the adaptive-runs comparison alone (-only-adaptive).
func runAdaptive(dir string, pin, autoBlock int, w io.Writer) error {
	return alone(w, pin, func(hf string) (bool, []bool, error) {
		ok, err := adaptive(w, hf, filepath.Join(dir, "strategies"), pin, autoBlock)
		return ok, nil, err
	})
}

// alone runs one part of the bench by itself (-only-interleave,
// -only-adaptive), between the readings the whole bench takes around
// everything: the load average before and after, and the pinned CPU's
// steal. part says whether its targets were met and which are open.
func alone(w io.Writer, pin int, part func(hf string) (ok bool, open []bool, err error)) error {
	hf, err := exec.LookPath("hyperfine")
	if err != nil {
		return fmt.Errorf("hyperfine is not on PATH: apt-get install -y hyperfine")
	}
	fmt.Fprintf(w, "load average before: %s\n", loadavg())
	host := harness.WatchNoise(harness.NoiseLimits{MaxLoad: math.Inf(1), MaxBusy: 1}, []int{pin})
	ok, open, err := part(hf)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nload average after: %s\n", loadavg())
	fmt.Fprintln(w, hostSteal(host, pin))
	if !ok {
		fmt.Fprintln(w, "some targets were missed (marked ✗)")
	}
	printOpen(w, 0, open...)
	return nil
}

func run(dir string, pin, rounds, autoBlock, driftRuns int, skipAuto, withStrategies bool, w io.Writer) error {
	rel := filepath.Join(dir, "strategies")
	// One block: every subject block times, interleaved in benchlab, back
	// to back in hyperfine.
	const block, warmup = 30, 2
	subjects := []subject{
		{"noop (static C)", []string{filepath.Join(dir, "noop")}, block, warmup},
		{"busy loop (static C)", []string{filepath.Join(dir, "busy"), "20000000"}, block, warmup},
		{"sleep 10 ms (static C)", []string{filepath.Join(dir, "sleep"), "10000"}, block, warmup},
	}
	if withStrategies {
		for _, s := range strategies {
			subjects = append(subjects, subject{s, []string{filepath.Join(rel, s)}, block, warmup})
		}
	} else {
		skipAuto = true
	}
	hf, err := exec.LookPath("hyperfine")
	if err != nil {
		return fmt.Errorf("hyperfine is not on PATH: apt-get install -y hyperfine")
	}
	version, _ := exec.Command(hf, "--version").Output()
	fmt.Fprintf(w, "benchlab vs %s (-N), subjects on CPU %d, %d rounds of three passes in turn (benchlab, hyperfine back to back, hyperfine by hand)\n",
		strings.TrimSpace(string(version)), pin, rounds)
	fmt.Fprintf(w, "load average before: %s\n\n", loadavg())
	host := harness.WatchNoise(harness.NoiseLimits{MaxLoad: math.Inf(1), MaxBusy: 1}, []int{pin})

	// Each subject's runs, block by block (one block per round and
	// pass): benchlab interleaved, hyperfine back to back, and hyperfine
	// interleaved by hand (see hyperfineByHand).
	type passes struct{ blBlock, hfBlock, byHand [][]float64 }
	data := make([]passes, len(subjects))
	for r := range rounds {
		// The three passes take turns at going first.
		for k := range 3 {
			switch (r + k) % 3 {
			case 0:
				fmt.Fprintf(os.Stderr, "\rround %d/%d: benchlab, interleaved%12s", r+1, rounds, "")
				walls, err := benchlabBlock(subjects, pin)
				if err != nil {
					return err
				}
				for i := range subjects {
					data[i].blBlock = append(data[i].blBlock, walls[i])
				}
			case 1:
				for i, s := range subjects {
					fmt.Fprintf(os.Stderr, "\rround %d/%d: hyperfine %-22s", r+1, rounds, s.name)
					b, err := hyperfineBlock(hf, s, pin)
					if err != nil {
						return err
					}
					data[i].hfBlock = append(data[i].hfBlock, b)
				}
			case 2:
				fmt.Fprintf(os.Stderr, "\rround %d/%d: hyperfine, interleaved by hand", r+1, rounds)
				walls, err := hyperfineByHand(hf, subjects, pin)
				if err != nil {
					return err
				}
				for i := range subjects {
					data[i].byHand = append(data[i].byHand, walls[i])
				}
			}
		}
	}
	fmt.Fprintf(os.Stderr, "\r%60s\r", "")

	// Each target of the table is tested on every subject: its intervals
	// are at 95% for all subjects together (Bonferroni), so that with
	// every truth within that target a ✗ for it anywhere in the table has
	// at most a 5% chance (about 12% for the table's three targets
	// together). The no-op's mean is one test, at 95%.
	alpha := 0.05 / float64(len(subjects))
	fmt.Fprintf(w, "%-24s %5s %12s %12s %8s %15s %9s %9s %9s  %s\n", "subject", "runs", "benchlab", "hyperfine", "ratio",
		fmt.Sprintf("%.1f%% CI", 100*(1-alpha)), "bl σ/μ", "hf σ/μ", "by hand", "targets")
	var noopMean float64
	allOK := true
	open := 0 // targets of the main table met only as "not shown outside"
	for i, s := range subjects {
		bl, hf := slices.Concat(data[i].blBlock...), slices.Concat(data[i].hfBlock...)
		byHand := slices.Concat(data[i].byHand...)
		bm, bs := stat.MeanStdDev(bl, nil)
		hm, hs := stat.MeanStdDev(hf, nil)
		km, ks := stat.MeanStdDev(byHand, nil)
		// The ratio and its interval, from the rounds: the two tools'
		// blocks of a round ran one after the other, and the machine
		// drifts from one round to the next (async-func's block means
		// move by 15% in both tools), so the runs of a block are not
		// independent draws and the rounds are the units. The interval
		// is Student's on the logarithms of the rounds' ratios of block
		// means, as wide as a few rounds make it. The target is missed
		// when the interval lies outside the band, and said unresolved
		// when it crosses an edge.
		ratio, lo, hi := roundsRatio(data[i].blBlock, data[i].hfBlock, alpha)
		ratioOK, unsure, ratioWhat := withinBand(lo, hi, 0.03, "")
		ratioWhat = "ratio " + ratioWhat
		if unsure {
			open++
		}
		// σ/μ no worse than hyperfine's, and (the no-op) the mean no
		// more than hyperfine's, are claims about two noisy estimates:
		// met unless the data show otherwise (the interval above 1, a
		// one-sided test), and the figures are printed either way. The
		// spread is that of the log times (about σ/μ), round by round,
		// against hyperfine interleaved by hand, not back to back: a benchlab block, every subject interleaved, spreads a
		// subject's runs over 30 to 40 s, a hyperfine block of one
		// subject over 1 to 2 s, and a spread measured over 40 s holds
		// more of the machine's drift. By hand, hyperfine's runs of a
		// subject span as long as benchlab's, in the same rounds. The
		// rounds are the units, as for the ratio: a 2-vCPU guest here
		// slowed a CPU-bound program twofold in episodes of tens of runs
		// (bench/README.md, fourth pass), and a test that took the runs
		// as independent (Brown–Forsythe on the pooled runs, until
		// 2026-12-02) judged by which pass the few episodes fell in.
		spread, spreadLo, spreadHi := spreadRatio(data[i].blBlock, data[i].byHand, alpha)
		cvOK := !(spreadLo > 1)
		cvWhat := fmt.Sprintf("σ/μ not shown worse than by hand (within rounds %.2f× [%.2f, %.2f])", spread, spreadLo, spreadHi)
		if math.IsNaN(spreadLo) {
			cvOK, cvWhat = false, "σ/μ: no interval (a round with fewer than two runs, or no spread)"
		}
		marks := []string{mark(ratioOK, ratioWhat), mark(cvOK, cvWhat)}
		if i == 0 {
			noopMean = bm
			_, meanLo, meanHi := roundsRatio(data[i].blBlock, data[i].hfBlock, 0.05)
			meanOK := meanLo <= 1
			marks = append(marks, mark(meanOK, fmt.Sprintf("mean not shown above hyperfine's (95%% CI [%.3f, %.3f])", meanLo, meanHi)))
			allOK = allOK && meanOK
		}
		allOK = allOK && ratioOK && cvOK
		fmt.Fprintf(w, "%-24s %5d %12s %12s %8.4f %15s %8.2f%% %8.2f%% %8.2f%%  %s\n", s.name, len(bl),
			fmtNS(bm), fmtNS(hm), ratio, fmt.Sprintf("[%.3f, %.3f]", lo, hi), 100*bs/bm, 100*hs/hm, 100*ks/km, strings.Join(marks, " "))
	}

	fmt.Fprintln(w, "(σ/μ columns: over all rounds' runs; the σ/μ target compares the spreads within each round)")

	// The floor: posix_spawn + wait4 in a C loop, both placements.
	fmt.Fprintln(w)
	floor := math.Inf(1)
	var away float64
	for _, mode := range []string{"split", "same", "away"} {
		f, err := spawnLoop(dir, mode, pin, 3000)
		if err != nil {
			return err
		}
		if mode == "away" {
			away = f["mean_ns"]
			continue
		}
		fmt.Fprintf(w, "floor (spawnloop %-5s, 3000 runs): mean %s, median %s, min %s\n", mode,
			fmtNS(f["mean_ns"]), fmtNS(f["median_ns"]), fmtNS(f["min_ns"]))
		floor = min(floor, f["mean_ns"])
	}
	fmt.Fprintf(w, "(the same loop waiting for the child on another CPU than the child's, as benchlab did before issue 12: mean %s, %.3f× the floor)\n",
		fmtNS(away), away/floor)
	// Measured minutes apart, on a host that drifts: printed, not judged.
	fmt.Fprintf(w, "benchlab's interleaved no-op mean above / this floor = %s / %s = %.3f (measured at other times; the target is judged side by side below)\n",
		fmtNS(noopMean), fmtNS(floor), noopMean/floor)
	ratio, lo, hi, err := floorGap(w, dir, pin, noopMean)
	if err != nil {
		return err
	}
	// Not shown above 1.10 (one-sided, 2.5%), as the other targets.
	floorOK := !(lo > 1.10)
	allOK = allOK && floorOK
	fmt.Fprintf(w, "the no-op in benchlab's default harness / the floor, side by side: %.3f, 95%% CI [%.3f, %.3f]  %s\n",
		ratio, lo, hi, mark(floorOK, "not shown above 1.10"))

	ok, wakeOpen, err := wakeup(w, hf, dir, pin, rounds)
	if err != nil {
		return err
	}
	allOK = allOK && ok
	ok, driftOpen, err := drift(w, dir, pin, driftRuns)
	if err != nil {
		return err
	}
	allOK = allOK && ok

	if !skipAuto {
		ok, err := adaptive(w, hf, rel, pin, autoBlock)
		if err != nil {
			return err
		}
		allOK = allOK && ok
	}
	fmt.Fprintf(w, "\nload average after: %s\n", loadavg())
	fmt.Fprintln(w, hostSteal(host, pin))
	if !allOK {
		fmt.Fprintln(w, "some targets were missed (marked ✗)")
	}
	printOpen(w, open, wakeOpen, driftOpen)
	return nil
}

// benchlabBlock times the subjects with benchlab's harness, interleaved in
// one run as an experiment's strategies are: subjects[0].warmup warm-up
// rounds, then subjects[0].block counted rounds; it returns each subject's
// counted wall times in ns.
func benchlabBlock(subjects []subject, pin int) ([][]float64, error) {
	e := &experiments.Experiment{Name: "bench", Dir: os.TempDir()}
	for i, s := range subjects {
		e.Strategies = append(e.Strategies, experiments.Strategy{Name: fmt.Sprintf("s%d", i), Command: s.argv})
	}
	out, err := harness.Run(context.Background(), e, harness.Options{
		Warmup: subjects[0].warmup, Runs: subjects[0].block, Pin: []int{pin}, Timeout: time.Minute})
	if err != nil {
		return nil, err
	}
	wall := make([][]float64, len(subjects))
	for _, t := range out.Trials {
		if !t.OK() {
			return nil, fmt.Errorf("benchlab: %s failed: %s", subjects[t.Strategy].name, out.Strategies[t.Strategy].Failure)
		}
		if !t.Warmup {
			wall[t.Strategy] = append(wall[t.Strategy], float64(t.WallNS))
		}
	}
	return wall, nil
}

// hyperfineBlock times s with `taskset -c PIN hyperfine -N`, the same
// warm-ups and runs, and returns its wall times in ns.
func hyperfineBlock(hf string, s subject, pin int) ([]float64, error) {
	times, err := hyperfine(pin, []string{"--warmup", strconv.Itoa(s.warmup), "--runs", strconv.Itoa(s.block)}, [][]string{s.argv}, hf)
	if err != nil {
		return nil, err
	}
	return times[0], nil
}

// burst is how many runs of one subject hyperfineByHand asks of each
// hyperfine: few, so that its runs of a subject spread over the pass.
const burst = 3

// hyperfineByHand times the subjects with hyperfine interleaved by hand,
// as a hyperfine user would interleave them: `hyperfine -N --runs 3` of
// one subject at a time, cycling through the subjects until each has
// subjects[0].block runs. Each subject's runs then span about as long as
// in benchlab's interleaved block, so that both see the same drift. Each
// burst warms up as benchlab primes: subjects[0].warmup runs before the
// first burst (benchlab's warm-up rounds), spawn.PrimeRuns before each
// later burst of a subject whose last burst averaged under
// harness.DefaultPrime (benchlab's priming runs), none before the others.
// It returns each subject's wall times in ns.
func hyperfineByHand(hf string, subjects []subject, pin int) ([][]float64, error) {
	out := make([][]float64, len(subjects))
	last := make([][]float64, len(subjects)) // each subject's last burst
	for done := 0; done < subjects[0].block; done += burst {
		k := min(burst, subjects[0].block-done)
		for i, s := range subjects {
			warmup := 0
			switch {
			case done == 0:
				warmup = s.warmup
			case stat.Mean(last[i], nil) < float64(harness.DefaultPrime.Nanoseconds()):
				warmup = spawn.PrimeRuns
			}
			times, err := hyperfine(pin, []string{"--warmup", strconv.Itoa(warmup), "--runs", strconv.Itoa(k)}, [][]string{s.argv}, hf)
			if err != nil {
				return nil, err
			}
			if len(times[0]) != k {
				return nil, fmt.Errorf("hyperfine reported %d runs of %s, not the %d asked", len(times[0]), s.name, k)
			}
			last[i] = times[0]
			out[i] = append(out[i], times[0]...)
		}
	}
	return out, nil
}

// hyperfine runs hyperfine -N pinned to pin with extra flags on commands
// and returns each command's wall times in ns.
func hyperfine(pin int, extra []string, commands [][]string, hf string) ([][]float64, error) {
	f, err := os.CreateTemp("", "fidelity-*.json")
	if err != nil {
		return nil, err
	}
	f.Close()
	defer os.Remove(f.Name())
	args := append([]string{"-c", strconv.Itoa(pin), hf, "-N", "--style", "none", "--export-json", f.Name()}, extra...)
	for _, c := range commands {
		args = append(args, strings.Join(c, " "))
	}
	cmd := exec.Command("taskset", args...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("taskset %s: %w", strings.Join(args, " "), err)
	}
	raw, err := os.ReadFile(f.Name())
	if err != nil {
		return nil, err
	}
	var doc struct {
		Results []struct {
			Times []float64 `json:"times"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("hyperfine's JSON: %w", err)
	}
	var out [][]float64
	for _, r := range doc.Results {
		ns := make([]float64, len(r.Times))
		for i, t := range r.Times {
			ns[i] = t * 1e9
		}
		out = append(out, ns)
	}
	if len(out) != len(commands) {
		return nil, fmt.Errorf("hyperfine reported %d results for %d commands", len(out), len(commands))
	}
	return out, nil
}

// adaptive compares runs = "auto" at ±1% with hyperfine's defaults on the
// six strategies: wall time needed and precision reached; ok is false
// when either target was missed.
func adaptive(w io.Writer, hf, rel string, pin, autoBlock int) (ok bool, err error) {
	auto := harness.Auto{MinRuns: 5, MaxRuns: 100, MaxTime: time.Minute, Precision: 0.01}
	fmt.Fprintf(w, "\nadaptive runs: the six strategies, benchlab runs = \"auto\" (±%g%% at 95%%, min_runs %d, max_runs %d, max_time %s, 1 warm-up round, block %d)\nvs hyperfine -N defaults (no warm-up, at least 10 runs and 3 s per command)\n",
		auto.Precision*100, auto.MinRuns, auto.MaxRuns, auto.MaxTime, autoBlock)
	e := &experiments.Experiment{Name: "bench", Dir: rel}
	var commands [][]string
	for _, s := range strategies {
		c := []string{filepath.Join(rel, s)}
		commands = append(commands, c)
		e.Strategies = append(e.Strategies, experiments.Strategy{Name: s, Command: c})
	}
	fmt.Fprintln(os.Stderr, "adaptive: benchlab runs = auto ...")
	start := time.Now()
	out, err := harness.Run(context.Background(), e, harness.Options{
		Warmup: 1, Pin: []int{pin}, Timeout: time.Minute,
		Auto: &auto, Block: autoBlock,
	})
	if err != nil {
		return false, err
	}
	blWall := time.Since(start)
	bl := make([][]float64, len(strategies))
	for _, t := range out.Trials {
		if !t.Warmup && t.OK() {
			bl[t.Strategy] = append(bl[t.Strategy], float64(t.WallNS))
		}
	}
	fmt.Fprintln(os.Stderr, "adaptive: hyperfine defaults ...")
	start = time.Now()
	hfTimes, err := hyperfine(pin, nil, commands, hf)
	if err != nil {
		return false, err
	}
	hfWall := time.Since(start)
	fmt.Fprintf(w, "%-24s %12s %5s %9s %12s %5s %9s\n", "strategy", "benchlab", "runs", "±95% CI", "hyperfine", "runs", "±95% CI")
	precOK := true
	for i, s := range strategies {
		bp, hp := relHalfWidth(bl[i]), relHalfWidth(hfTimes[i])
		precOK = precOK && bp <= math.Max(hp, 0.01)
		fmt.Fprintf(w, "%-24s %12s %5d %8.2f%% %12s %5d %8.2f%%  (stop: %s)\n", s,
			fmtNS(stat.Mean(bl[i], nil)), len(bl[i]), 100*bp, fmtNS(stat.Mean(hfTimes[i], nil)), len(hfTimes[i]), 100*hp, out.Stops[i])
	}
	fmt.Fprintf(w, "wall time: benchlab %.1f s, hyperfine %.1f s (%.2fx)  %s %s\n", blWall.Seconds(), hfWall.Seconds(),
		blWall.Seconds()/hfWall.Seconds(), mark(blWall < hfWall, "less time"), mark(precOK, "±1% or hyperfine's precision"))
	ok = blWall < hfWall && precOK
	for _, warning := range out.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warning)
	}

	// Where benchlab's time went, and what each tool's runs would cost to
	// reach ±1%: the two tools stop at different precisions, so their
	// wall times alone do not say which measures more cheaply.
	primed := primedTrials(out.Trials, len(strategies), out.Order.PrimeBelowNS)
	derived := 0
	for _, n := range primed {
		derived += n * out.Order.PrimeRuns
	}
	if derived != out.Order.Primed {
		fmt.Fprintf(w, "  warning: %d priming runs derived from the trials, %d recorded by the run: the figures below miss some\n", derived, out.Order.Primed)
	}
	fmt.Fprintf(w, "where benchlab's time went (its priming runs are not timed: each is put at its strategy's mean), and each tool's time to ±1%% at its own σ/μ and time per counted run: (1.96·σ/μ / 1%%)² runs, plus benchlab's warm-up round; the tools' own overheads left out:\n")
	fmt.Fprintf(w, "%-24s %12s %12s %12s %12s %14s %14s\n", "strategy", "bl warm-up", "bl counted", "bl priming", "bl per run", "bl to ±1%", "hf to ±1%")
	var blSum, hfSum float64
	for i, s := range strategies {
		if len(bl[i]) < 2 || len(hfTimes[i]) < 2 {
			fmt.Fprintf(w, "%-24s n/a: fewer than two runs (benchlab %d, hyperfine %d)\n", s, len(bl[i]), len(hfTimes[i]))
			continue
		}
		var warm, counted float64
		for _, t := range out.Trials {
			switch {
			case t.Strategy != i:
			case t.Warmup:
				warm += float64(t.WallNS)
			default:
				counted += float64(t.WallNS)
			}
		}
		// The priming runs are not recorded: each is taken to last the
		// strategy's mean, as the run it precedes.
		mean := stat.Mean(bl[i], nil)
		priming := float64(primed[i]*out.Order.PrimeRuns) * mean
		perRun := (counted + priming) / float64(len(bl[i]))
		blNeed := warm + runsFor(bl[i], 0.01)*perRun
		hfNeed := runsFor(hfTimes[i], 0.01) * stat.Mean(hfTimes[i], nil)
		blSum += blNeed
		hfSum += hfNeed
		fmt.Fprintf(w, "%-24s %12s %12s %12s %12s %14s %14s\n", s, fmtNS(warm), fmtNS(counted), fmtNS(priming), fmtNS(perRun), fmtNS(blNeed), fmtNS(hfNeed))
	}
	fmt.Fprintf(w, "to ±1%%, projected: benchlab %.1f s, hyperfine %.1f s (%.2fx): the wall times above at equal precision (not a target; σ/μ drifts, so it is rough)\n",
		blSum/1e9, hfSum/1e9, blSum/hfSum)
	return ok, nil
}

// primedTrials counts, per strategy, the trials that were primed, by the
// rule the archive states (results.Order): a trial of a strategy whose
// previous trial, warm-ups included, took less than belowNS, unless it
// follows a trial of its own strategy in the same round (a block's later
// trial, results.Order.Block). The strategies of the bench have no
// prepare command.
func primedTrials(trials []results.Trial, strategies int, belowNS int64) []int {
	n := make([]int, strategies)
	last := make([]int64, strategies)
	for k, t := range trials {
		inBlock := k > 0 && trials[k-1].Strategy == t.Strategy && trials[k-1].Round == t.Round
		if !inBlock && belowNS > 0 && last[t.Strategy] > 0 && last[t.Strategy] < belowNS {
			n[t.Strategy]++
		}
		last[t.Strategy] = t.WallNS
	}
	return n
}

// runsFor is how many runs like xs the mean needs for a 95% interval of
// ±p of itself, (1.96·σ/μ / p)², by the normal quantile: Student's at
// xs's own n would charge a tool that stopped early for its few runs.
func runsFor(xs []float64, p float64) float64 {
	m, sd := stat.MeanStdDev(xs, nil)
	z := distuv.UnitNormal.Quantile(0.975)
	return math.Pow(z*sd/m/p, 2)
}

// roundsRatio is the ratio of a's times to b's from their blocks, a[k]
// and b[k] run in round k, with its 1−alpha interval: the geometric mean
// of the rounds' ratios of block means, mean(a[k]) / mean(b[k]), and
// Student's t interval of the mean of their logarithms, exponentiated.
// All three are NaN when a round has no runs of either, or there are
// fewer than two rounds (run checks -rounds).
func roundsRatio(a, b [][]float64, alpha float64) (ratio, lo, hi float64) {
	return perRound(a, b, alpha, func(x []float64) float64 { return stat.Mean(x, nil) })
}

// spreadRatio is roundsRatio for the spread: the rounds' ratios of the
// standard deviations of the log times (each about σ/μ, the relative
// spread) of a's block and b's. NaN also when a block has fewer than two
// runs, or no spread.
func spreadRatio(a, b [][]float64, alpha float64) (ratio, lo, hi float64) {
	return perRound(a, b, alpha, func(x []float64) float64 { return stat.StdDev(logs(x), nil) })
}

// perRound is the geometric mean over the rounds k of f(a[k]) / f(b[k]),
// with Student's t 1−alpha interval from the logarithms of the rounds'
// ratios; NaN when any of them is not finite, or there are fewer than two
// rounds.
func perRound(a, b [][]float64, alpha float64, f func([]float64) float64) (ratio, lo, hi float64) {
	if len(a) != len(b) {
		panic("perRound: the passes ran different numbers of rounds")
	}
	nan := math.NaN()
	if len(a) < 2 {
		return nan, nan, nan
	}
	r := make([]float64, len(a))
	for k := range a {
		r[k] = math.Log(f(a[k]) / f(b[k]))
		if math.IsNaN(r[k]) || math.IsInf(r[k], 0) {
			return nan, nan, nan
		}
	}
	m, sd := stat.MeanStdDev(r, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(r) - 1)}.Quantile(1 - alpha/2)
	half := t * sd / math.Sqrt(float64(len(r)))
	return math.Exp(m), math.Exp(m - half), math.Exp(m + half)
}

// hostSteal says how much of the pinned CPU's time the hypervisor ran
// something else over the bench (/proc/stat's steal, as the harness
// archives it for a run): on a guest, a figure beside which the targets
// are read.
func hostSteal(w *harness.NoiseWatch, pin int) string {
	var n results.Noise
	w.Judge(&n, nil)
	if n.Steal == nil {
		return fmt.Sprintf("the host's steal on CPU %d over the bench: not measured", pin)
	}
	return fmt.Sprintf("the host's steal on CPU %d over the bench: %.2f%% of its time (a host can also slow a guest in ways no counter shows)", pin, 100**n.Steal)
}

// printOpen says how many targets are unresolved, if any: n of them,
// and one more for each true in more.
func printOpen(w io.Writer, n int, more ...bool) {
	for _, o := range more {
		if o {
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(w, "%d ratio targets unresolved: their intervals cross an edge of their band (more rounds narrow them; the drift's, more runs)\n", n)
	}
}

// withinBand judges a ratio's interval [lo, hi] against 1 ± band: met
// unless the interval lies outside the band; unsure when it crosses an
// edge (then the data cannot tell); with words that say which.
func withinBand(lo, hi, band float64, of string) (ok, unsure bool, what string) {
	if of != "" {
		of = " " + of
	}
	pct := fmt.Sprintf("±%g%%", 100*band)
	switch {
	case math.IsNaN(lo) || math.IsNaN(hi):
		return false, false, "no interval (a round without runs, or too few rounds)"
	case hi < 1-band || lo > 1+band:
		return false, false, "outside " + pct + of
	case lo < 1-band || hi > 1+band:
		return true, true, "not shown outside " + pct + of + " (the interval crosses its edge)"
	}
	return true, false, "within " + pct + of
}

// logs returns the natural logarithms of xs.
func logs(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Log(x)
	}
	return out
}

// mark is "✓ what" or "✗ what".
func mark(ok bool, what string) string {
	if ok {
		return "✓ " + what
	}
	return "✗ " + what
}

// fmtNS shows ns in a suitable unit.
func fmtNS(ns float64) string {
	switch {
	case ns < 1e6:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.3f ms", ns/1e6)
	default:
		return fmt.Sprintf("%.4f s", ns/1e9)
	}
}

// fields parses "key value" lines into numbers.
func fields(s string) map[string]float64 {
	m := map[string]float64{}
	for _, l := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(l, " "); ok {
			m[k], _ = strconv.ParseFloat(v, 64)
		}
	}
	return m
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// relHalfWidth is the half-width of the 95% interval of the mean of xs as a
// fraction of the mean: the precision runs = "auto" aims at.
func relHalfWidth(xs []float64) float64 {
	iv := analysis.MeanInterval(xs)
	if !iv.OK {
		return math.Inf(1)
	}
	return iv.HalfWidth() / stat.Mean(xs, nil)
}
