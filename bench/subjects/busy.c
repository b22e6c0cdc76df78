/* busy: a fixed busy loop, a CPU-bound subject of known, steady cost.
 * argv[1] is the number of iterations (default 20000000, about 10-20 ms). */
#include <stdlib.h>

int main(int argc, char **argv) {
	unsigned long n = argc > 1 ? strtoul(argv[1], 0, 10) : 20000000UL;
	volatile unsigned long acc = 0;
	for (unsigned long i = 0; i < n; i++)
		acc += i;
	return 0;
}
