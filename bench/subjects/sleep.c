/* sleep: a fixed sleep, a subject that costs wall time and no CPU.
 * argv[1] is the sleep in microseconds (default 10000). */
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
	long us = argc > 1 ? strtol(argv[1], 0, 10) : 10000;
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
	while (nanosleep(&ts, &ts) != 0)
		;
	return 0;
}
