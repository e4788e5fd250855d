"""serial_cases.py PROFILE — the serial console, byte for byte, in one profile
(1.5 or 3.0); run by peers/serial_console.sh."""
import os
import signal
import subprocess
import sys
import tempfile
import termios
import time
import tty

sys.path.insert(0, os.path.dirname(__file__))
from serial_peer import Board, Cases  # noqa: E402

profile = sys.argv[1]
modern = profile == "3.0"
c = Cases()
tmp = tempfile.mkdtemp()
link = os.path.join(tmp, "ttyNM")
b = Board(link, "-e", 'started = "yes" print("before anyone listens")', env={"NETMCU_COMPAT": profile})
try:
    c.eq("prints_the_device_and_links_the_path", os.path.realpath(link), os.path.realpath(b.path))
    b.open()
    c.eq("empty_line_echoes_crlf_and_prompts", b.ask("\r"), b"\r\n> ")
    c.eq("script_ran_before_the_console", b.ask('=started\n'), b'=started\r\nyes\r\n> ')
    c.eq("print_echo_then_output_crlf",
         b.ask('print("echo1337")\n'), b'print("echo1337")\r\necho1337\r\n> ')
    c.eq("cr_lf_is_one_line_end", b.ask("=1+1\r\n") + b.read(None, 0.3), b"=1+1\r\n2\r\n> ")
    c.eq("lf_cr_is_one_line_end", b.ask("=2\n\r") + b.read(None, 0.3), b"=2\r\n2\r\n> ")
    c.eq("incomplete_chunk_continues", b.ask("for i=1,2 do\r", b">> "), b"for i=1,2 do\r\n>> ")
    c.eq("continued_chunk_runs", b.ask("print(i) end\r"), b"print(i) end\r\n1\r\n2\r\n> ")
    c.eq("backspace_and_del_erase", b.ask("x=12\x7f3\x08\x084\r") + b.ask("=x\r"),
         b"x=12\x08 \x083\x08 \x08\x08 \x084\r\n> =x\r\n4\r\n> ")
    # the input line is bounded as the firmware's (LUA_MAXINPUT, 256 bytes): at the 256th byte
    # what was typed is dropped and the line starts over, so of a 2 MB line (255 * 8000
    # bytes, then a statement) only the statement is left to run
    b.ask("uart.setup(0, 115200, 8, 0, 1, 0)\r")
    b.send("x" * (255 * 8000) + 'print("tail" .. #"ok")\r')
    c.eq("a_2mb_line_keeps_only_what_fits_the_buffer", b.read(b"> ", 10), b"tail2\r\n> ")
    b.ask("uart.setup(0, 115200, 8, 0, 1, 1)\r")
    line = 'print(#"' + "a" * 245 + '")'
    c.check("a_255_byte_line_is_kept_whole", len(line) == 255 and b.ask(line + "\r").endswith(b"\r\n245\r\n> "))
    got = b.ask('error("boom")\r')
    label = b"Lua error: \t" if modern else b""
    c.check("error_text", got.startswith(b'error("boom")\r\n' + label + b"stdin:1: boom\r\nstack traceback:")
            and got.endswith(b"\r\n> "), repr(got))
    c.check("every_newline_is_crlf", b"\n" not in got.replace(b"\r\n", b""), repr(got))
    c.eq("uart_write_is_raw", b.ask('uart.write(0, "a\\nb", 67)\r'), b'uart.write(0, "a\\nb", 67)\r\na\nbC> ')

    # echo off, then on again
    c.eq("setup_echo_0_stops_echo",
         b.ask("uart.setup(0, 9600, 8, 0, 1, 0)\r") + b.ask("=5\r"),
         b"uart.setup(0, 9600, 8, 0, 1, 0)\r\n> 5\r\n> ")
    c.eq("setup_echo_1_echoes_again", b.ask("uart.setup(0, 115200, 8, 0, 1, 1)\r") + b.ask("=6\r"),
         b"> =6\r\n6\r\n> ")

    # uart.on in running mode: every line to the function, then to the interpreter
    b.ask('uart.on("data", function(l) uart.write(0, "[" .. l .. "]") end)\r')
    c.eq("on_data_sees_the_line_first", b.ask("=3\r"), b"=3\r\n[=3]3\r\n> ")
    c.eq("on_data_and_empty_lines", b.ask("\r") + b.read(None, 0.2), b"\r\n[]> " if modern else b"\r\n> ")
    b.ask('uart.on("data")\r')

    # held input: pieces of 4 bytes, nothing echoed or run
    b.ask('uart.on("data", 4, function(d) uart.write(0, "<" .. d .. ">") '
          'if d == "quit" then uart.on("data") end end, 0)\r')
    c.eq("held_input_in_pieces_of_n", b.ask("abcdefgh=9\r", b"<efgh>") + b.read(None, 0.3), b"<abcd><efgh>")
    c.eq("held_input_keeps_the_rest", b.ask("\rquit", b"<quit>"), b"<=9\r\r><quit>")
    c.eq("unregistering_runs_input_again", b.ask("=4\r"), b"=4\r\n4\r\n> ")

    # held input up to an end character
    b.ask('uart.on("data", "\\r", function(d) uart.write(0, "<" .. d .. ">") '
          'if d == "quit\\r" then uart.on("data") end end, 0)\r')
    c.eq("held_input_up_to_the_end_char", b.ask("ab\rcd\r", b"<cd\r>"), b"<ab\r><cd\r>")
    c.eq("held_input_end_char_unregister", b.ask("quit\r", b"<quit\r>") + b.ask("=5\r"),
         b"<quit\r>=5\r\n5\r\n> ")

    # n = 0: 1.5 hands over what arrived, 3.0 each byte
    b.ask('uart.on("data", 0, function(d) uart.write(0, "<" .. d .. ">") '
          'if d:find("q") then uart.on("data") end end, 0)\r')
    want = b"<x><y><z>" if modern else b"<xyz>"
    c.eq("held_input_n0", b.ask("xyz", want[-3:]) + b.read(None, 0.2), want)
    b.ask("q")
    c.eq("held_n0_unregistered", b.ask("=7\r"), b"=7\r\n7\r\n> ")

    # an error in a callback is shown on the console, followed by one prompt
    got = b.ask('tmr.create():alarm(20, tmr.ALARM_SINGLE, function() error("cb boom") end)\r')
    got += b.read(b"> ", 2)
    c.check("callback_error_on_the_console_then_one_prompt",
            b"cb boom" in got and got.endswith(b"\r\n> ") and b"> > " not in got, repr(got))
    c.eq("console_alive_after_callback_error", b.ask("=8\r"), b"=8\r\n8\r\n> ")

    # the loop runs while nobody types
    got = b.ask('n = 0 t = tmr.create() t:alarm(30, tmr.ALARM_AUTO, function() n = n + 1 '
                'if n == 3 then t:unregister() print("ticked") end end)\r', b"ticked\r\n")
    c.check("timers_fire_while_the_console_waits", got.endswith(b"ticked\r\n"), repr(got))

    # a tool that closes and reopens the port finds the board as it left it
    os.close(b.fd)
    b.fd = None
    time.sleep(0.1)
    b.open()
    c.eq("reopened_port_keeps_the_session", b.ask("=started .. n\r"), b"=started .. n\r\nyes3\r\n> ")

    # node.restart() reboots on the same device: the state is new
    got = b.ask("node.restart()\r", b"listens\r\n> ", 5)
    c.check("restart_boots_again", got.endswith(b"before anyone listens\r\n> "), repr(got))
    c.eq("restart_reboots_on_the_same_device", b.ask("=tostring(n) .. started\r", b"> ", 5),
         b"=tostring(n) .. started\r\nnilyes\r\n> ")
    c.eq("the_link_survives_the_reboot", os.path.realpath(link), os.path.realpath(b.path))

    # Ctrl-C where netmcu runs: interrupts a runaway chunk, and at rest ends the run
    b.send("while true do end\r")
    b.read(None, 0.3)
    b.proc.send_signal(signal.SIGINT)
    got = b.read(b"> ", 3)
    c.check("sigint_interrupts_a_runaway_chunk", b"interrupted!" in got and got.endswith(b"> "), repr(got))
    c.eq("console_alive_after_the_interrupt", b.ask("=9\r"), b"=9\r\n9\r\n> ")
    b.proc.send_signal(signal.SIGINT)
    try:
        status = b.proc.wait(5)
    except subprocess.TimeoutExpired:
        status = "running"
    c.eq("sigint_at_rest_ends_the_run", status, 0)
finally:
    err = b.close()
c.check("link_removed_at_exit", not os.path.lexists(link), link)

# --boot --serial: the banner and init.lua's output reach the pty as the device sends them
flash = tempfile.mkdtemp()
with open(os.path.join(flash, "init.lua"), "w") as f:
    f.write('print("init says hi")\n')
b = Board("--boot", "--flash", flash, env={"NETMCU_COMPAT": profile})
try:
    b.open()
    got = b.ask("node.restart()\r", b"init says hi\r\n> ", 5)
    banner = b"\r\nNodeMCU 3.0.0.0 " if modern else b"\r\nNodeMCU 1.5.4.1 build "
    c.check("boot_banner_and_init_on_the_pty", banner in got and got.endswith(b"init says hi\r\n> ")
            and b"\n" not in got.replace(b"\r\n", b""), repr(got[-300:]))
    c.eq("boot_console_answers", b.ask("=1+2\r"), b"=1+2\r\n3\r\n> ")
finally:
    b.close()
    os.remove(os.path.join(flash, "init.lua"))
    os.rmdir(flash)

# Output nobody read is dropped when a tool flushes the port as it opens it.
b = Board("-e", 'for i = 1, 20000 do print(("x"):rep(99)) end', env={"NETMCU_COMPAT": profile})
try:
    time.sleep(0.5)
    b.fd = os.open(b.path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(b.fd)
    termios.tcflush(b.fd, termios.TCIOFLUSH)
    time.sleep(0.2)
    c.eq("stale_output_dropped_on_flush", b.ask("=1\r"), b"=1\r\n1\r\n> ")
finally:
    b.close()
os.rmdir(tmp)
c.done()
