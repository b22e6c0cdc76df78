package harness

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCPUTimes(t *testing.T) {
	// cpu1 ran a guest: guest (5) and guest_nice (2) are already inside
	// user and nice, so total = 10+1+4+80+3+1+1+0 = 100, idle = 80+3 = 83.
	stat := `cpu  20 2 8 160 6 2 2 0 10 4
cpu0 10 1 4 80 3 1 1 0 5 2
cpu1 10 1 4 80 3 1 1 0 5 2
intr 12345
cpuX 1 2 3 4 5 6
`
	want := map[int]jiffies{0: {idle: 83, total: 100}, 1: {idle: 83, total: 100}}
	if diff := cmp.Diff(want, parseCPUTimes(stat), cmp.AllowUnexported(jiffies{})); diff != "" {
		t.Errorf("parseCPUTimes (-want +got):\n%s", diff)
	}
}
