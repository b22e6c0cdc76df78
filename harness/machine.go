package harness

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"benchlab/results"
)

// Fingerprint describes this machine: CPU model and count, memory, kernel,
// OS, architecture and hostname. Its ID is derived from the hardware and OS,
// not the hostname, so the archive folder it names stays the same across
// renames and reinstalls of the same OS. Facts that cannot be read are left
// empty ("unknown" for the CPU model).
func Fingerprint() results.Machine {
	m := results.Machine{
		CPUModel:  cpuModel(readText("/proc/cpuinfo")),
		CPUs:      runtime.NumCPU(),
		MemoryKiB: memTotalKiB(readText("/proc/meminfo")),
		Kernel:    kernelRelease(),
		OS:        osName(),
		Arch:      runtime.GOARCH,
	}
	m.Hostname, _ = os.Hostname()
	m.ID = machineID(m)
	return m
}

// maxSlug bounds the CPU-model part of a machine ID.
const maxSlug = 40

// machineID names the machine's archive folder:
// "<cpu-model-slug>-<cpus>c-<8 hex digits>", where the digits hash the CPU
// model, CPU count, memory rounded to GiB, OS and architecture. It uses only
// [a-z0-9-] and is at most 40+16 bytes long.
func machineID(m results.Machine) string {
	gib := (m.MemoryKiB + 1<<19) >> 20 // KiB to GiB, rounded to nearest
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\n%d\n%d\n%s\n%s", m.CPUModel, m.CPUs, gib, m.OS, m.Arch))
	return fmt.Sprintf("%s-%dc-%s", slug(m.CPUModel), m.CPUs, hex.EncodeToString(sum[:4]))
}

// slug shortens a CPU model name to lower-case words joined by '-',
// dropping trademarks, clock speeds and filler words, at most maxSlug bytes:
// "Intel(R) Core(TM) i5-1135G7 @ 2.40GHz" becomes "intel-core-i5-1135g7".
func slug(model string) string {
	s := strings.ToLower(model)
	for _, cut := range []string{"@", " with "} {
		if i := strings.Index(s, cut); i >= 0 {
			s = s[:i]
		}
	}
	for _, noise := range []string{"(r)", "(tm)", "(c)"} {
		s = strings.ReplaceAll(s, noise, " ")
	}
	var words []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if w == "cpu" || w == "processor" {
			continue
		}
		words = append(words, w)
	}
	out := ""
	for _, w := range words {
		next := w
		if out != "" {
			next = out + "-" + w
		}
		if len(next) > maxSlug {
			break
		}
		out = next
	}
	if out == "" {
		return "unknown-cpu"
	}
	return out
}

// readText returns a file's contents, or "" if it cannot be read.
func readText(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return string(b)
}

// field returns the value of the first "key: value" line of text with one
// of keys (compared after trimming), or "".
func field(text string, keys ...string) string {
	for _, key := range keys {
		sc := bufio.NewScanner(strings.NewReader(text))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == key {
				if v = strings.TrimSpace(v); v != "" {
					return v
				}
			}
		}
	}
	return ""
}

// cpuModel reads the CPU model from /proc/cpuinfo. x86 names it
// "model name"; other architectures use other keys.
func cpuModel(cpuinfo string) string {
	m := field(cpuinfo, "model name", "Model", "Hardware", "cpu model", "cpu", "uarch")
	if m == "" {
		return "unknown"
	}
	m = strings.Join(strings.Fields(m), " ")
	// Virtual machines often hide the model ("AMD EPYC"); x86's family and
	// model numbers still tell the microarchitecture apart.
	fam, mod := field(cpuinfo, "cpu family"), field(cpuinfo, "model")
	if fam != "" && mod != "" && !strings.ContainsAny(m, "0123456789") {
		m += fmt.Sprintf(" (family %s, model %s)", fam, mod)
	}
	return m
}

// memTotalKiB reads MemTotal from /proc/meminfo ("MemTotal: 16314412 kB").
func memTotalKiB(meminfo string) int64 {
	v := strings.TrimSuffix(field(meminfo, "MemTotal"), " kB")
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// kernelRelease returns uname -r.
func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

// osName returns PRETTY_NAME from os-release, such as
// "Debian GNU/Linux 12 (bookworm)".
func osName() string {
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		if name := prettyName(readText(p)); name != "" {
			return name
		}
	}
	return ""
}

// prettyName reads PRETTY_NAME from an os-release file.
func prettyName(osRelease string) string {
	for line := range strings.SplitSeq(osRelease, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "PRETTY_NAME=")
		if !ok {
			continue
		}
		if u, err := strconv.Unquote(v); err == nil {
			return u
		}
		return strings.Trim(v, `"'`)
	}
	return ""
}
