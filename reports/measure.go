package reports

import (
	"fmt"
	"time"

	"benchlab/results"
)

// memoryNote says what the peak memory column means, by how the run
// measured it (results.Settings.Memory), or where an import's figures come
// from.
func memoryNote(run *results.Run) string {
	s := run.Settings
	switch {
	case run.Imported != nil:
		return fmt.Sprintf("Means over the counted runs. **Peak memory** is the largest over the counted runs of what the imported %s file recorded (hyperfine's `memory_usage_byte`, the child's `ru_maxrss`), where it has it.\n\n",
			cell(run.Imported.Tool))
	case s.Memory == results.MemoryCgroupV1, s.Memory == results.MemoryCgroupV2:
		file := "memory.max_usage_in_bytes"
		if s.Memory == results.MemoryCgroupV2 {
			file = "memory.peak"
		}
		primed := ""
		switch o := s.Order; {
		case o == nil || o.Primed == 0:
		case o.PrimedSharedCgroup && o.PeakPerRun:
			// See results.Order.PeakPerRun.
			primed = fmt.Sprintf(" A trial primed with unmeasured runs of the same command right before it (those of strategies whose last trial took under %s; see the trial order below) ran them and the timed run in the trial's cgroup, one after the other, and the cgroup's peak was reset before the timed run: the trial's peak is its own run's, counted from what the priming runs left charged (page cache they read, which an unprimed trial's peak counts too, and what they wrote and kept).",
				time.Duration(o.PrimeBelowNS))
			if o.Block > 1 {
				// See results.Order.Block.
				primed += " The trials of a block (see the trial order below) shared its cgroup, whose peak was reset before each: each has its own run's peak."
			}
		case o.PrimedSharedCgroup:
			// See results.Order.PrimedSharedCgroup.
			primed = fmt.Sprintf(" A trial primed with unmeasured runs of the same command right before it (those of strategies whose last trial took under %s; see the trial order below) ran them and the timed run in the trial's cgroup, one after the other: its peak is at least that of a priming run alone, and above it only by what the earlier runs left charged when a later one peaked (page cache they wrote and kept).",
				time.Duration(o.PrimeBelowNS))
			if o.Block > 1 {
				// See results.Order.Block.
				primed += " The trials of a block (see the trial order below) shared its cgroup: each has the block's peak, the highest of its runs."
			}
		case o.PrimedPeak:
			// See results.Order.PrimedPeak.
			primed = fmt.Sprintf(" A trial primed with an unmeasured run of the same command right before it (those of strategies whose last trial took under %s; see the trial order below) has that run's peak, measured in the trial's cgroup, while the timed run ran in none. (Where the priming run failed, both ran in the cgroup.)",
				time.Duration(o.PrimeBelowNS))
		}
		return fmt.Sprintf("Means over the counted runs. **Peak memory** is the largest over the counted runs of the memory charged to the trial's own cgroup (%s, %s): the pages its processes touched, their page tables and kernel memory, and the page cache they brought in, free of the memory of benchlab or any process that started them. Pages already cached before the trial (shared libraries, the program's own file after its first run) are not counted, so it reads below the resident-set high-water mark that `/usr/bin/time` prints (for a small Python program, about 5 MiB below); charges are batched by 256 KiB.%s\n\n",
			s.Memory, code(file), primed)
	}
	why := "no memory cgroup could be made for the trials; see the warnings"
	if s.Memory == "" {
		why = "measured before benchlab used a memory cgroup per trial"
	}
	return fmt.Sprintf("Means over the counted runs. **Peak memory** is the largest over the counted runs of the child's peak resident set (`ru_maxrss` from `wait4`): only an upper bound, since Linux counts the peak of the process that started the child as its floor (%s).\n\n", why)
}

// orderCell says how a run ordered its trials (results.Settings.Order).
func orderCell(o *results.Order) string {
	if o == nil {
		return "round-robin (recorded before the order was archived; no trial primed)"
	}
	s := cell(o.Policy)
	if o.Policy == results.OrderRoundRobin {
		s = "round-robin, each round starting one strategy later"
	}
	if o.PrimeBelowNS <= 0 {
		return s + "; no trial primed"
	}
	which := fmt.Sprintf("a trial of a strategy whose last trial took under %s", time.Duration(o.PrimeBelowNS))
	if !o.PrimeOwn && !o.PrimedPeak { // PrimedPeak came with PrimeOwn's rule
		which += ", following another strategy's,"
	}
	runs, peak := "an unmeasured run", ""
	if o.PrimeRuns > 1 {
		runs = fmt.Sprintf("%d unmeasured runs", o.PrimeRuns)
	}
	if o.Primed == 0 {
		return fmt.Sprintf("%s; no trial was primed (%s would have been preceded by %s of the same command, so that it does not pay for waking the pinned CPU)",
			s, which, runs)
	}
	switch {
	case o.PrimedSharedCgroup && o.PeakPerRun:
		peak = ", in the trial's cgroup, whose peak memory was reset before the timed run (see above)"
	case o.PrimedSharedCgroup:
		peak = ", in the trial's cgroup, whose peak memory covers them all (see above)"
	case o.PrimedPeak:
		peak = ", and that run measured its peak memory (see above)"
	}
	s = fmt.Sprintf("%s; %s was preceded by %s of the same command (%d such runs), so that it does not pay for waking the pinned CPU%s",
		s, which, runs, o.Primed, peak)
	if o.Block > 1 {
		s += fmt.Sprintf("; except that a counted one began a block of up to %d trials of its strategy run back to back, as hyperfine runs a command, and only the block's first was primed", o.Block)
	}
	return s
}

// memoryCell names how a run measured peak memory.
func memoryCell(run *results.Run) string {
	if run.Imported != nil {
		return "imported from " + cell(run.Imported.Tool) + " (`ru_maxrss`, where its file has it)"
	}
	switch run.Settings.Memory {
	case results.MemoryCgroupV1:
		return "a memory cgroup per trial (cgroup v1, `memory.max_usage_in_bytes`)"
	case results.MemoryCgroupV2:
		return "a memory cgroup per trial (cgroup v2, `memory.peak`)"
	case results.MemoryRusage:
		return "`ru_maxrss` (an upper bound)"
	default:
		return "`ru_maxrss` (an upper bound; recorded before the method was archived)"
	}
}
