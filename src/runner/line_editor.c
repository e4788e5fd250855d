/*
 * line_editor.c — line_editor.h on GNU readline (the readline plugin).
 */
#include "runner/line_editor.h"

#include <stdio.h>
#include <stdlib.h>

#include <readline/history.h>
#include <readline/readline.h>

static void (*line_done)(char *line);
static char *saved_line;
static int saved_point;

static void on_line(char *line)
{
    if (line && *line)
        add_history(line);
    line_done(line);
}

static void start(const char *prompt, void (*on_line_cb)(char *line))
{
    line_done = on_line_cb;
    rl_catch_signals = 0; /* the console's handler owns SIGINT */
    rl_catch_sigwinch = 0;
    rl_readline_name = "netmcu";
    using_history();
    rl_callback_handler_install(prompt, on_line);
}

static void set_prompt(const char *prompt)
{
    rl_set_prompt(prompt);
}

static void drop_line(const char *prompt)
{
    rl_free_line_state();
    rl_callback_sigcleanup();
    rl_replace_line("", 0);
    rl_crlf();
    rl_set_prompt(prompt);
    rl_on_new_line();
    rl_redisplay();
}

static void hide(void)
{
    saved_point = rl_point;
    saved_line = rl_copy_text(0, rl_end);
    rl_save_prompt();
    rl_replace_line("", 0);
    rl_redisplay();
}

static void show(void)
{
    rl_restore_prompt();
    rl_replace_line(saved_line ? saved_line : "", 0);
    rl_point = saved_point;
    rl_redisplay();
    free(saved_line);
    saved_line = NULL;
}

static void deprep(void)
{
    rl_deprep_terminal();
}

static const nm_line_editor editor = {
    .start = start,
    .read_char = rl_callback_read_char,
    .set_prompt = set_prompt,
    .drop_line = drop_line,
    .hide = hide,
    .show = show,
    .resize = rl_resize_terminal,
    .deprep = deprep,
    .stop = rl_callback_handler_remove,
    .clear_history = clear_history,
};

const nm_line_editor *nm_line_editor_readline(void)
{
    return &editor;
}
