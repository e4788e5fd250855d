/*
 * line_editor.h — the terminal's line editing for the console: GNU
 * readline's callback interface, in the readline plugin (runtime/plugin.h),
 * which the console loads only when stdin is a terminal, so that scripts and
 * piped input never load readline.
 *
 * The console feeds it the terminal's bytes when they can be read and gets
 * each finished line back; the editor keeps the history and owns the
 * terminal's modes while it is installed.
 */
#ifndef NETMCU_LINE_EDITOR_H
#define NETMCU_LINE_EDITOR_H

typedef struct nm_line_editor {
    /* Installs the editor with that prompt; on_line(line) gets each line
     * (malloc'ed, the callee frees it; NULL for Ctrl-D on an empty line). */
    void (*start)(const char *prompt, void (*on_line)(char *line));
    void (*read_char)(void); /* stdin is readable */
    void (*set_prompt)(const char *prompt);
    /* Ctrl-C at the prompt: forget the typed text, show a fresh prompt. */
    void (*drop_line)(const char *prompt);
    /* Output while the user types: hide takes the prompt and the typed text
     * off the screen, show draws them again below what was written. */
    void (*hide)(void);
    void (*show)(void);
    void (*resize)(void); /* SIGWINCH */
    /* Restores the terminal's modes; async-signal-safe enough for a dying
     * process (readline's own rl_deprep_terminal). */
    void (*deprep)(void);
    void (*stop)(void); /* removes the editor; the history stays */
    void (*clear_history)(void);
} nm_line_editor;

/* The readline plugin's one entry point. */
const nm_line_editor *nm_line_editor_readline(void);

#endif
