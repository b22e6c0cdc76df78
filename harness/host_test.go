package harness

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"benchlab/experiments"
	"benchlab/results"
)

// parse loads an experiment from TOML text as experiments/x/experiment.toml.
func parse(t *testing.T, text string) *experiments.Experiment {
	t.Helper()
	e, err := experiments.Parse("experiments/x/experiment.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	e.Dir = t.TempDir()
	return e
}

func TestCheckHost(t *testing.T) {
	allowed, err := allowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	first := -1
	for c := range len(allowed) * 64 {
		if allowed.IsSet(c) {
			first = c
			break
		}
	}
	t.Setenv("PATH", filepath.Dir(subject)+string(os.PathListSeparator)+os.Getenv("PATH"))
	e := parse(t, fmt.Sprintf(`name = "x"
[host]
min_cpus = 1
tools = ["%s"]
[trials]
runs = 1
pin = [%d]
[[strategy]]
name = "a"
command = ["true"]
`, subjectName, first))
	host, err := CheckHost(e)
	if err != nil {
		t.Fatal(err)
	}
	// The first non-empty line of "benchlab-subject --version", trimmed.
	if diff := cmp.Diff(map[string]string{subjectName: "subject 1.2.3"}, host.Tools); diff != "" {
		t.Errorf("tool versions (-want +got):\n%s", diff)
	}
}

func TestCheckHostErrors(t *testing.T) {
	allowed, err := allowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	n := allowed.Count()
	e := parse(t, fmt.Sprintf(`name = "x"
[host]
min_cpus = %d
tools = ["no-such-tool-xyz"]

[trials]
runs = 1
pin = [1023]
[[strategy]]
name = "a"
command = ["true"]
`, n+1))
	_, err = CheckHost(e)
	if err == nil {
		t.Fatal("CheckHost passed a host that has too few CPUs, no tool and no CPU 1023")
	}
	// Every problem, each with file, line and key.
	want := fmt.Sprintf("experiments/x/experiment.toml:3: host.min_cpus: needs %d CPUs, this machine has %d available to benchlab; run it on a larger machine\n", n+1, n) +
		`experiments/x/experiment.toml:4: host.tools: "no-such-tool-xyz" is not on PATH; install it (or add its folder to PATH) and try again` + "\n" +
		fmt.Sprintf("experiments/x/experiment.toml:8: trials.pin: CPU 1023 not available to this process (allowed: %s); pin to allowed CPUs or widen benchlab's affinity (taskset)", cpuList(allowed))
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestToolVersionFailure(t *testing.T) {
	// A tool that fails without output still gets an entry saying so.
	got := toolVersion("subject", subject+"-missing")
	if !strings.HasPrefix(got, "unknown (subject --version: ") {
		t.Errorf("toolVersion of a missing program = %q", got)
	}
}

func TestKeyLine(t *testing.T) {
	raw := []byte(`name = "x"
host.min_cpus = 3
[trials] # comment
runs = 1
 pin=[1]
[[strategy]]
name = "a"
`)
	for key, want := range map[string]int{"name": 1, "host.min_cpus": 2, "trials.pin": 5, "trials.runs": 4, "host.tools": 0, "strategy.name": 7} {
		if got := keyLine(raw, key); got != want {
			t.Errorf("keyLine(%q) = %d, want %d", key, got, want)
		}
	}
}

func TestCPUList(t *testing.T) {
	var set = mustSet(0, 1, 2, 3, 6, 8, 9)
	if got, want := cpuList(set), "0-3,6,8-9"; got != want {
		t.Errorf("cpuList = %q, want %q", got, want)
	}
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestFingerprint(t *testing.T) {
	m := Fingerprint()
	if m2 := Fingerprint(); m2 != m {
		t.Errorf("two fingerprints differ:\n%+v\n%+v", m, m2)
	}
	if !idPattern.MatchString(m.ID) || len(m.ID) > maxSlug+16 {
		t.Errorf("ID %q is not a short lower-case file name", m.ID)
	}
	if m.CPUs != runtime.NumCPU() || m.Arch != runtime.GOARCH || m.Kernel == "" || m.MemoryKiB <= 0 || m.CPUModel == "" {
		t.Errorf("fingerprint %+v is missing facts", m)
	}
	t.Logf("this machine: %+v", m)
}

func TestMachineID(t *testing.T) {
	laptop := results.Machine{
		CPUModel: "11th Gen Intel(R) Core(TM) i5-1135G7 @ 2.40GHz", CPUs: 8,
		MemoryKiB: 16314412, OS: "NixOS 23.11 (Tapir)", Arch: "amd64", Hostname: "framework",
	}
	id := machineID(laptop)
	if !strings.HasPrefix(id, "11th-gen-intel-core-i5-1135g7-8c-") || !idPattern.MatchString(id) {
		t.Errorf("ID = %q, want 11th-gen-intel-core-i5-1135g7-8c-<hash>", id)
	}
	same := []struct {
		why    string
		change func(*results.Machine)
	}{
		{"the hostname is not hardware", func(m *results.Machine) { m.Hostname = "renamed" }},
		{"the kernel is updated often", func(m *results.Machine) { m.Kernel = "6.9.1" }},
		// 16314412 KiB is 15.56 GiB; 16.4 GiB also rounds to 16.
		{"memory is compared in whole GiB", func(m *results.Machine) { m.MemoryKiB = 17196646 }}, // 16.4 GiB
	}
	for _, tc := range same {
		m := laptop
		tc.change(&m)
		if got := machineID(m); got != id {
			t.Errorf("%s: ID changed to %q", tc.why, got)
		}
	}
	differ := []struct {
		why    string
		change func(*results.Machine)
	}{
		{"another OS", func(m *results.Machine) { m.OS = "Debian GNU/Linux 12 (bookworm)" }},
		{"more memory", func(m *results.Machine) { m.MemoryKiB = 32 << 20 }},
		{"fewer CPUs", func(m *results.Machine) { m.CPUs = 4 }},
		{"another architecture", func(m *results.Machine) { m.Arch = "arm64" }},
	}
	for _, tc := range differ {
		m := laptop
		tc.change(&m)
		if got := machineID(m); got == id {
			t.Errorf("%s: ID unchanged", tc.why)
		}
	}
	for model, want := range map[string]string{
		"AMD Ryzen 7 5800U with Radeon Graphics":    "amd-ryzen-7-5800u",
		"Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz": "intel-xeon-e5-2680-v4",
		"":                                  "unknown-cpu",
		"Ω ®":                               "unknown-cpu",
		"Apple M2 ∞":                        "apple-m2",
		strings.Repeat("verylongword ", 10): "verylongword-verylongword-verylongword",
	} {
		if got := slug(model); got != want {
			t.Errorf("slug(%q) = %q, want %q", model, got, want)
		}
	}
}

func TestProcParsers(t *testing.T) {
	cpuinfo := "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R)  Xeon(R) CPU @ 2.20GHz\n\nprocessor\t: 1\n"
	if got, want := cpuModel(cpuinfo), "Intel(R) Xeon(R) CPU @ 2.20GHz"; got != want {
		t.Errorf("cpuModel = %q, want %q", got, want)
	}
	if got := cpuModel("processor : 0\n"); got != "unknown" {
		t.Errorf("cpuModel without a model = %q, want unknown", got)
	}
	if got := memTotalKiB("MemTotal:       16314412 kB\nMemFree:  1 kB\n"); got != 16314412 {
		t.Errorf("memTotalKiB = %d", got)
	}
	if got, want := prettyName("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"), "Debian GNU/Linux 12 (bookworm)"; got != want {
		t.Errorf("prettyName = %q, want %q", got, want)
	}
}

func TestArtifacts(t *testing.T) {
	e := experiment(t,
		[]string{"target/release/b"},
		[]string{"bin/a", "--fast"},
		[]string{"./bin/a"},      // the same file again
		[]string{"true"},         // on PATH: a tool, not an artifact
		[]string{"/bin/true"},    // absolute: not the experiment's
		[]string{"../outside/x"}, // outside the folder
	)
	write := func(rel, content string) {
		p := filepath.Join(e.Dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("bin/a", "hello")
	write("target/release/b", "")
	got, err := Artifacts(e)
	if err != nil {
		t.Fatal(err)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	want := []results.Artifact{
		{Path: "bin/a", Size: 5, SHA256: sum("hello")},
		{Path: "target/release/b", Size: 0, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	}
	if want[1].SHA256 != sum("") {
		t.Fatal("the empty file's SHA-256 is misremembered")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("artifacts (-want +got):\n%s", diff)
	}

	os.Remove(filepath.Join(e.Dir, "bin/a"))
	if _, err := Artifacts(e); err == nil || !strings.Contains(err.Error(), "did the build make it?") {
		t.Errorf("Artifacts with a missing executable = %v, want an error asking about the build", err)
	}
}

func TestBuild(t *testing.T) {
	e := experiment(t)
	if err := Build(context.Background(), e, nil, nil); err != nil {
		t.Errorf("Build without [build] = %v, want a no-op", err)
	}

	// A relative build command runs from the experiment folder.
	copyFile(t, subject, filepath.Join(e.Dir, "tools", subjectName))
	e.Build = &experiments.Build{Command: []string{"./tools/" + subjectName, "stderr=built", "affinity=made"}}
	var out bytes.Buffer
	if err := Build(context.Background(), e, nil, &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "built\n" {
		t.Errorf("build output = %q, want it streamed", out.String())
	}
	if _, err := os.Stat(filepath.Join(e.Dir, "made")); err != nil {
		t.Errorf("the build did not run in the experiment folder: %v", err)
	}

	e.Build.Command = []string{"./tools/" + subjectName, "exit=7"}
	err := Build(context.Background(), e, nil, &out)
	if err == nil || !strings.Contains(err.Error(), `build ["./tools/benchlab-subject" "exit=7"] failed: exit status 7`) ||
		!strings.HasPrefix(err.Error(), e.Path) {
		t.Errorf("failing build = %v, want the file, command and exit status", err)
	}

	e.Build.Command = []string{"./tools/nothing"}
	if err := Build(context.Background(), e, nil, &out); err == nil || !strings.Contains(err.Error(), "build.command") {
		t.Errorf("missing build program = %v, want a build.command error", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	e.Build.Command = []string{"./tools/" + subjectName, "sleep=10s"}
	begin := time.Now()
	err = Build(ctx, e, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "interrupted") || time.Since(begin) > 3*time.Second {
		t.Errorf("cancelled build = %v after %v, want a quick interruption", err, time.Since(begin))
	}
}
