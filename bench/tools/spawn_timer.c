/*
 * spawn_timer.c — wall time of short commands, run interleaved.
 *
 *   spawn_timer RUNS CMD [ARGS...] [:: CMD [ARGS...]]...
 *
 * Runs the commands one after the other, RUNS times over (A B C A B C ...), each with
 * posix_spawn and waitpid, standard streams on /dev/null. Prints one line per run:
 * "INDEX MILLISECONDS STATUS"; a run still going after RUN_TIMEOUT seconds is killed and
 * reported with status 124; a command that fails once is not run again, so one broken or
 * hung command costs at most RUN_TIMEOUT seconds. posix_spawn (vfork underneath) keeps the harness's own
 * cost small next to the few milliseconds being measured; a Python subprocess call
 * costs as much as the start-up it would time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 32
#define RUN_TIMEOUT 5

extern char **environ;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Splits argv at "::" in place; returns the number of commands. */
static int split_commands(int argc, char **argv, char **cmds[])
{
    int n = 0;
    cmds[n++] = argv;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "::") != 0)
            continue;
        argv[i] = NULL;
        if (n == MAX_CMDS || i + 1 >= argc)
            return -1;
        cmds[n++] = &argv[i + 1];
    }
    return n;
}

/* SIGALRM only has to interrupt waitpid (installed without SA_RESTART). */
static void on_alarm(int sig)
{
    (void)sig;
}

static int run_once(char **cmd, const posix_spawn_file_actions_t *fa, double *ms)
{
    pid_t pid;
    int status;
    double t0 = now_ms();
    if (posix_spawnp(&pid, cmd[0], fa, NULL, cmd, environ) != 0)
        return 127;
    alarm(RUN_TIMEOUT);
    if (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        status = 124 << 8; /* as timeout(1) reports it */
    }
    alarm(0);
    *ms = now_ms() - t0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
    char **cmds[MAX_CMDS];
    int runs = argc > 2 ? atoi(argv[1]) : 0;
    int n = runs > 0 ? split_commands(argc - 2, argv + 2, cmds) : -1;
    if (n < 0) {
        fprintf(stderr, "usage: spawn_timer RUNS CMD [ARGS...] [:: CMD [ARGS...]]...\n");
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd <= 2; fd++)
        posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    int failed[MAX_CMDS] = {0};
    for (int r = 0; r < runs; r++) {
        for (int i = 0; i < n; i++) {
            if (failed[i])
                continue;
            double ms = 0;
            int status = run_once(cmds[i], &fa, &ms);
            printf("%d %.3f %d\n", i, ms, status);
            failed[i] = status != 0;
        }
    }
    return 0;
}
