-- profile: 3.0
-- pipe_compat30.lua — the 3.0 pipe module: records, chunks, unread, errors,
-- and the reader callback posted as a node task at the pipe's priority.
local T = require "testlib"

T.case("a_new_pipe_is_an_empty_table_with_a_metatable", function(done)
  local p = pipe.create()
  T.eq(type(p), "table", "type")
  T.match(tostring(p), "^Pipe: ", "tostring")
  T.eq(#p, 1, "#p counts the write slot")
  T.eq(p:nrec(), 0, "nrec")
  T.eq(p:read(), nil, "read on empty")
  T.eq(p:read(10), nil, "read(n) on empty")
  T.eq(type(p.write), "function", "write is p[1]")
  T.eq(rawget(p, 1), p.write, "p[1]")
  done()
end)

T.case("read_by_delimiter", function(done)
  local p = pipe.create()
  p:write("one\ntwo\n")
  T.eq(p:read(), "one", "the default delimiter is \\n, dropped (as the firmware's code does)")
  T.eq(p:read("\n+"), "two\n", "\\n+ keeps it")
  T.eq(p:read(), nil, "empty again")
  p:write("k=v;x=y;tail")
  T.eq(p:read(";"), "k=v", "other delimiter")
  T.eq(p:read(";+"), "x=y;", "other delimiter kept")
  T.eq(p:read(";"), "tail", "a last record without its delimiter empties the pipe")
  T.eq(p:nrec(), 0, "no chunk left")
  p:write("\n\nz")
  T.eq(p:read(), "", "an empty record is a string")
  T.eq(p:read(), "", "and another")
  T.eq(p:read(), "z", "the rest")
  T.eq(p:read(), nil, "then nil")
  p:write("a\0b\0")
  T.eq(p:read("\0"), "a", "a NUL delimiter")
  T.eq(p:read(10), "b\0", "binary data")
  done()
end)

T.case("records_and_chunks_of_256_bytes", function(done)
  local p = pipe.create()
  p:write(string.rep("x", 600))
  T.eq(p:nrec(), 3, "600 bytes take three chunks")
  T.eq(#p, 4, "#p")
  T.eq(#p[2], 256, "#p[2]")
  T.eq(#p[4], 88, "#p[4]")
  T.eq(tostring(p[4]), string.rep("x", 88), "tostring of a chunk")
  T.eq(p:read(300), string.rep("x", 300), "a read across chunks")
  T.eq(p:nrec(), 2, "the emptied chunk is gone")
  T.eq(#p[2], 212, "the rest of the second")
  T.eq(p:read(1000), string.rep("x", 300), "a short last record empties the pipe")
  -- a write that does not fit after the data moves it to the chunk's front
  p:write(string.rep("a", 200))
  T.eq(p:read(100), string.rep("a", 100), "read half")
  p:write(string.rep("b", 100))
  T.eq(p:nrec(), 1, "200 bytes stay in one chunk")
  T.eq(p:read(200), string.rep("a", 100) .. string.rep("b", 100), "content kept in order")
  -- many small writes fill chunks one after the other
  for i = 1, 100 do p:write(string.format("%04d\n", i)) end
  T.eq(p:nrec(), 2, "500 bytes in two chunks")
  local n, last = 0, nil
  for rec in p:reader() do n = n + 1; last = rec end
  T.eq(n, 100, "a reader iterator gives every line")
  T.eq(last, "0100", "the last line")
  done()
end)

T.case("unread_puts_data_back_in_front", function(done)
  local p = pipe.create()
  p:write("line one\nline two\n")
  local a = p:read("\n+")
  p:unread(a)
  T.eq(p:read("\n+"), "line one\n", "the same record again")
  T.eq(p:read("\n+"), "line two\n", "then the next")
  local big = {}
  for i = 1, 150 do big[#big + 1] = string.format("%03d;", i) end
  big = table.concat(big) -- 600 bytes
  p:unread(big)
  T.eq(p:nrec(), 3, "600 bytes unread into an empty pipe")
  T.eq(#p[2], 88, "filled from the back: the first chunk holds the head")
  T.eq(p:read(1000), big, "and reads back in order")
  p:write(string.rep("y", 256))
  p:unread("front")
  T.eq(p:nrec(), 2, "unread before a full chunk adds one")
  T.eq(p:read(5), "front", "read back")
  p:write("Z")
  T.eq(p:read(2), "yy", "reading on")
  p:unread("yy")
  T.eq(p:nrec(), 2, "fits into the room it left")
  T.eq(p:read(1000), string.rep("y", 256) .. "Z", "everything in order")
  p:unread("")
  T.eq(p:nrec(), 0, "an empty string adds nothing")
  p:unread(42)
  T.eq(p:read(), "42", "a number is taken as its text")
  done()
end)

T.case("reader_iterator_by_size_and_delimiter", function(done)
  local p = pipe.create()
  p:write("abcdefghij")
  local got = {}
  for rec in p:reader(4) do got[#got + 1] = rec end
  T.eq(table.concat(got, ","), "abcd,efgh,ij", "by size")
  p:write("a,b,c")
  got = {}
  local it = p:reader(",+")
  for rec in it do got[#got + 1] = rec end
  T.eq(table.concat(got, "|"), "a,|b,|c", "by delimiter kept")
  p:write("more")
  T.eq(it(), "more", "the iterator reads what comes later")
  done()
end)

T.case("bad_arguments_raise_the_firmware_texts", function(done)
  local p = pipe.create()
  T.errors(function() p:read(0) end, "bad argument #1 to 'read' (invalid chunk size)", "read(0)")
  T.errors(function() p:read(-5) end, "invalid chunk size", "read(-5)")
  T.errors(function() p:read("ab") end, "bad argument #1 to 'read' (invalid delimiter)", "two characters")
  T.errors(function() p:read("") end, "invalid delimiter", "empty delimiter")
  T.errors(function() p:read(true) end, "invalid delimiter", "a boolean")
  T.errors(function() p:reader("x-") end, "invalid delimiter", "reader")
  T.errors(function() p:reader(0) end, "invalid chunk size", "reader(0)")
  T.errors(function() p.read({}) end, "(pipe table)", "not a pipe")
  T.errors(function() p.nrec(setmetatable({}, {})) end, "(pipe table)", "another table")
  T.errors(function() p.unread("x", "y") end, "(pipe table)", "a string")
  T.errors(function() p.write(pipe.create(), "y") end, "(pipe table)", "another pipe's write")
  T.errors(function() p:write({}) end, "bad argument #1 to 'write' (must be a string)", "write a table")
  T.errors(function() p:write(nil) end, "must be a string", "write nil")
  T.errors(function() p:unread(false) end, "bad argument #1 to 'unread' (must be a string)", "unread")
  T.errors(function() pipe.create(5) end, "bad argument #1 to", "create(number)")
  T.errors(function() pipe.create(print, 3) end, "(invalid priority)", "priority 3")
  T.errors(function() pipe.create(print, -1) end, "(invalid priority)", "priority -1")
  T.eq(p:nrec(), 0, "nothing happened to the pipe")
  T.eq(type(pipe.create(nil, 7)), "table", "a priority without a callback is not checked")
  T.eq(p.nonsense, nil, "unknown keys are nil")
  local q = pipe.create()
  q:write("abc")
  q[2] = 5 -- a chunk slot overwritten by the script
  T.errors(function() q:read() end, "(pipe table)", "read of a damaged pipe")
  T.errors(function() q:write("x") end, "(pipe table)", "write to it")
  T.errors(function() q:unread("x") end, "(pipe table)", "unread")
  done()
end)

T.case("reader_runs_later_once_per_burst_with_the_pipe", function(done)
  local p
  local calls, inside = 0, true
  p = pipe.create(T.expect(function(...)
    calls = calls + 1
    T.eq(select("#", ...), 1, "one argument")
    T.eq((...), p, "the pipe")
    T.eq(inside, false, "not inside write")
    T.eq(p:read(100), "abc", "everything written before it ran")
    node.task.post(node.task.LOW_PRIORITY, function() T.eq(calls, 1, "called once"); done() end)
  end, 1, "reader"))
  p:write("a"); p:write("b"); p:write("c")
  inside = false
end)

T.case("reader_true_reposts_while_data_is_left", function(done)
  local p, reads = nil, {}
  -- (not wrapped in T.expect, which drops return values)
  p = pipe.create(function(pp)
    reads[#reads + 1] = pp:read(4)
    if pp:nrec() == 0 then
      tmr.create():alarm(30, tmr.ALARM_SINGLE, function()
        T.eq(table.concat(reads, ","), "1234,5678,9", "drained by reposts, then stopped")
        done()
      end)
    end
    return true
  end)
  p:write("123456789")
end)

T.case("reader_false_stops_until_the_next_write", function(done)
  local p, reads = nil, {}
  p = pipe.create(function(pp)
    reads[#reads + 1] = pp:read(2)
    if #reads == 1 then
      tmr.create():alarm(30, tmr.ALARM_SINGLE, function()
        T.eq(#reads, 1, "no repost after false")
        T.eq(pp:nrec(), 1, "data left in the pipe")
        pp:write("!")
      end)
    else
      T.eq(reads[2], "cd", "the next write wakes it")
      tmr.create():alarm(30, tmr.ALARM_SINGLE, function() T.eq(#reads, 2, "two calls"); done() end)
    end
    return false
  end)
  p:write("abcd")
end)

T.case("reader_nil_reposts_while_data_is_left", function(done)
  local p, calls, got = nil, 0, {}
  p = pipe.create(T.expect(function(pp)
    calls = calls + 1
    got[#got + 1] = pp:read()
    if calls == 2 then pp:write("pong\n") end -- its own write is read too
    if calls == 3 then
      tmr.create():alarm(30, tmr.ALARM_SINGLE, function()
        T.eq(table.concat(got, ","), "ping,pang,pong", "one line a call until empty, then the chain lapses")
        done()
      end)
    end
  end, 3, "reader"))
  p:write("ping\npang\n")
end)

T.case("reader_task_priority_orders_it_among_node_tasks", function(done)
  local order = {}
  local low = pipe.create(function(p) order[#order + 1] = "low"; p:read(10) end, node.task.LOW_PRIORITY)
  local high = pipe.create(function(p) order[#order + 1] = "high"; p:read(10) end, node.task.HIGH_PRIORITY)
  local medium = pipe.create(function(p) order[#order + 1] = "medium"; p:read(10) end)
  low:write("x")
  medium:write("x")
  node.task.post(node.task.MEDIUM_PRIORITY, function() order[#order + 1] = "task" end)
  high:write("x")
  node.task.post(node.task.LOW_PRIORITY, function()
    order[#order + 1] = "last"
    T.eq(table.concat(order, ","), "high,medium,task,low,last", "priority, then posting order")
    done()
  end)
end)

T.case("an_error_in_the_reader_takes_the_error_path_and_the_pipe_lives_on", function(done)
  local p, calls = nil, 0
  node.setonerror(T.expect(function(msg)
    T.match(msg, "reader broke", "message")
    T.match(msg, "stack traceback", "with a traceback")
    node.setonerror()
    p:write("again")
  end, 1, "onerror"))
  p = pipe.create(function(pp)
    calls = calls + 1
    if calls == 1 then error("reader broke") end
    T.eq(pp:read(100), "oopsagain", "the data is still there")
    done()
  end)
  p:write("oops")
end)

T.case("a_dropped_pipe_runs_its_reader_then_is_collected", function(done)
  local weak = setmetatable({}, {__mode = "k"})
  do
    local p = pipe.create(T.expect(function(pp) pp:read(10) end, 1, "reader"))
    weak[p] = true
    p:write("data")
  end
  collectgarbage(); collectgarbage()
  T.eq(next(weak) ~= nil, true, "the posted reader keeps it")
  tmr.create():alarm(20, tmr.ALARM_SINGLE, function()
    collectgarbage(); collectgarbage()
    T.eq(next(weak), nil, "collected once nothing refers to it")
    done()
  end)
end)

T.run()
