/* noop: the static no-op subject. Built with gcc -static -O2, it maps almost
 * nothing and returns at once, so timing it measures a harness's fork, exec
 * and wait overhead and nothing else. */
int main(void) { return 0; }
