/* spawnloop: the floor. It runs a program N times with posix_spawn (glibc
 * uses clone(CLONE_VM|CLONE_VFORK), the cheapest way to start a process) and
 * wait4, timing each from just before the spawn to just after the reap, and
 * prints the mean, median and minimum in nanoseconds:
 *
 *	spawnloop MODE N PIN PROGRAM
 *
 * MODE "same" runs this loop and the children on CPU PIN, as `taskset -c PIN
 * hyperfine` does; MODE "split" keeps this loop on the other allowed CPUs and
 * moves the spawning thread to PIN from before the spawn to after the reap,
 * as benchlab does (the moves are not timed); MODE "away" moves it back
 * right after the spawn, so that it waits on another CPU than the child's
 * (benchlab's placement before issue 12: every exit then wakes that CPU).
 * The first N/10 runs are warm-ups and not counted. */
#define _GNU_SOURCE
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static long long now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv) {
	if (argc != 5) {
		fprintf(stderr, "usage: spawnloop same|split|away N PIN PROGRAM\n");
		return 2;
	}
	int away = strcmp(argv[1], "away") == 0;
	int split = away || strcmp(argv[1], "split") == 0;
	int n = atoi(argv[2]), pin = atoi(argv[3]);
	char *child[] = {argv[4], 0};
	cpu_set_t pinset, others;
	CPU_ZERO(&pinset);
	CPU_SET(pin, &pinset);
	sched_getaffinity(0, sizeof others, &others);
	CPU_CLR(pin, &others);
	if (!split || CPU_COUNT(&others) == 0)
		others = pinset;
	if (sched_setaffinity(0, sizeof others, &others) != 0) {
		perror("sched_setaffinity");
		return 1;
	}
	int warm = n / 10;
	long long *t = malloc(sizeof *t * n);
	for (int i = 0; i < warm + n; i++) {
		pid_t pid;
		int status;
		struct rusage ru;
		if (split)
			sched_setaffinity(0, sizeof pinset, &pinset);
		long long start = now_ns();
		int err = posix_spawn(&pid, argv[4], 0, 0, child, environ);
		if (away)
			sched_setaffinity(0, sizeof others, &others);
		if (err != 0) {
			fprintf(stderr, "posix_spawn %s: %s\n", argv[4], strerror(err));
			return 1;
		}
		wait4(pid, &status, 0, &ru);
		long long end = now_ns();
		if (split && !away)
			sched_setaffinity(0, sizeof others, &others);
		if (i >= warm)
			t[i - warm] = end - start;
	}
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += t[i];
	qsort(t, n, sizeof *t, cmp);
	printf("mean_ns %.0f\nmedian_ns %lld\nmin_ns %lld\n", sum / n, t[n / 2], t[0]);
	return 0;
}
