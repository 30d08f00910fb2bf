/*
 * The smallest static "true": no libc, _start exits 0 with one syscall, so an exec storm
 * measures fork + exec + the tracers and nothing else. Built with
 *   gcc -static -nostdlib -O2 -o true true.c      (x86-64 and arm64)
 */
#if defined(__x86_64__)
__attribute__((naked, noreturn)) void _start(void) {
    __asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall"); /* exit(0) */
}
#elif defined(__aarch64__)
__attribute__((naked, noreturn)) void _start(void) {
    __asm__ volatile("mov x8, #93\n\tmov x0, #0\n\tsvc #0"); /* exit(0) */
}
#else
#error "true.c: only x86-64 and arm64"
#endif
