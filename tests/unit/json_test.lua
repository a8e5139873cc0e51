-- SPDX-License-Identifier: GPL-2.0-or-later
-- Unit tests of lua/keytime/json.lua (run with lua5.4, no tracer needed):
-- exact integers at any size, floats that read back the same, decimals,
-- nesting, the stable key order, escapes as lua-cjson's but '/'.
local t = dofile((arg[0]:match("^(.*)/") or ".") .. "/../lib/unit.lua")
local eq = t.eq
local json = require "keytime.json"
local cjson = require "cjson"


local function raises(fn, pattern, what)
  local ok, err = pcall(fn)
  eq(not ok and tostring(err):find(pattern) ~= nil, true, what .. " (raised: " .. tostring(err) .. ")")
end

-- ---- integers: every digit, never an exponent ------------------------------------
eq(json.encode(0), "0", "zero")
eq(json.encode(7), "7", "small integer")
eq(json.encode(-2), "-2", "negative integer")
eq(json.encode(100000000000001), "100000000000001", "10^14 + 1: past cjson's 14 digits")
eq(json.encode(3456886054891123), "3456886054891123", "a CLOCK_MONOTONIC time after 40 days")
eq(json.encode((1 << 53) + 1), "9007199254740993", "2^53 + 1: no double holds it")
eq(json.encode(math.maxinteger), "9223372036854775807", "math.maxinteger")
eq(json.encode(math.mininteger), "-9223372036854775808", "math.mininteger")
eq(json.encode(-(1 << 62) - 3), "-4611686018427387907", "a large negative")
eq(json.encode(0xffffffffffffffff), "-1", "a u64 of all ones is Lua's -1")
for _, v in ipairs { 1, 99, 1 << 31, (1 << 32) + 1, 1000000000000007, math.maxinteger - 1 } do
  eq(math.tointeger(json.encode(v)), v, "integer round trip " .. v)
end

-- ---- floats ----------------------------------------------------------------------------
eq(json.encode(0.5), "0.5", "a half")
eq(json.encode(0.1), "0.1", "0.1 as short as cjson writes it")
eq(json.encode(-2.25), "-2.25", "negative float")
eq(json.encode(2.0), "2", "a whole float: its digits")
eq(json.encode(-0.0), "0", "negative zero")
eq(json.encode(2.0 ^ 60), "1152921504606846976", "a whole float past 2^53: exact")
eq(json.encode(3e15 + 0.5), "3000000000000000.5", "a fraction past 10^14: every digit, no exponent")
eq(json.encode(1 / 3), "0.3333333333333333", "1/3: the digits that read back")
eq(json.encode(1e300), "1e+300", "beyond any integer: an exponent is all there is")
eq(json.encode(1e-5), "1e-05", "a tiny float")
for _, v in ipairs { 1 / 3, 2 / 3, 0.1 + 0.2, math.pi, 1e-300, 123456789.123456789, 4503599627370495.5, -7.77e-7 } do
  eq(tonumber(json.encode(v)), v, "float round trip " .. ("%.17g"):format(v))
end
raises(function() json.encode(0 / 0) end, "NaN", "NaN refused")
raises(function() json.encode({ x = math.huge }) end, "infinity", "infinity refused")

-- ---- decimals: exact n / 10^places -----------------------------------------------------
local function dec(n, p) return json.encode(json.decimal(n, p)) end
eq(dec(1234567890123456, 3), "1234567890123.456", "ns as us: every digit")
eq(dec(1500, 3), "1.5", "trailing zeros dropped")
eq(dec(1000, 3), "1", "a whole number of us")
eq(dec(1, 3), "0.001", "one ns")
eq(dec(0, 3), "0", "zero")
eq(dec(-1, 3), "-0.001", "minus one ns")
eq(dec(-1500, 3), "-1.5", "negative")
eq(dec(-3000, 3), "-3", "negative whole")
eq(dec(math.maxinteger, 3), "9223372036854775.807", "math.maxinteger ns")
eq(dec(math.mininteger, 3), "-9223372036854775.808", "math.mininteger ns")
eq(dec(42, 0), "42", "no places")
eq(dec(math.mininteger, 0), "-9223372036854775808", "no places, math.mininteger")
eq(dec(123456789, 9), "0.123456789", "nine places")
raises(function() json.decimal(1.5, 3) end, "integer", "a float refused")
eq(json.decimal_text(1020, 3), "1.02", "decimal_text: the same text, inner zero kept")
eq(json.decimal_text(-1020300, 6), "-1.0203", "decimal_text: negative")
eq(json.decimal_text(7, 0), "7", "decimal_text: no places")
raises(function() json.decimal_text(1.5, 3) end, "integer", "decimal_text: a float refused")
eq(json.encode({ ts = json.decimal(11599472013943889, 3), dur = json.decimal(0, 3) }, { "ts" }),
   '{"ts":11599472013943.889,"dur":0}', "decimals inside an object")

-- ---- tables: nesting and order -----------------------------------------------------------
eq(json.encode({}), "[]", "empty table is an array")
eq(json.encode({ 1, 2, 3 }), "[1,2,3]", "array")
eq(json.encode({ b = 1, a = { 3, 2 }, c = { z = true, y = "x/y" } }), '{"a":[3,2],"b":1,"c":{"y":"x/y","z":true}}',
   "sorted keys, nested")
eq(json.encode({ b = 1, a = 2, event = "x" }, { "event" }), '{"event":"x","a":2,"b":1}', "leading keys first")
eq(json.encode({ time = 1, event = "e", pid = 2, zz = 0, aa = 0 }, { "event", "time", "pid", "tgid" }),
   '{"event":"e","time":1,"pid":2,"aa":0,"zz":0}', "leading keys in their order, absent ones skipped")
eq(json.encode({ roots = { { pid = 5, comm = "a", children = { { pid = 6, start_time = math.maxinteger } } } } }, { "pid", "comm" }),
   '{"roots":[{"pid":5,"comm":"a","children":[{"pid":6,"start_time":9223372036854775807}]}]}',
   "the leading keys apply at every depth, integers exact at every depth")
eq(json.encode({ [1] = "a", [3] = "c" }), '{"1":"a","3":"c"}', "a sparse array is an object")
eq(json.encode({ ok = false, none = cjson.null }), '{"none":null,"ok":false}', "booleans and cjson.null")
eq(json.encode({ { { {} } } }), "[[[[]]]]", "deep nesting")
-- The same data, the same bytes, whatever order the table was built in.
local a, b = {}, {}
for i = 1, 50 do a["k" .. i] = i end
for i = 50, 1, -1 do b["k" .. i] = i end
eq(json.encode(a), json.encode(b), "key order does not depend on insertion")

-- ---- strings: as lua-cjson, but '/' ------------------------------------------------------
eq(json.encode({ s = 'q"\n' }), '{"s":"q\\"\\n"}', "string escapes")
eq(json.encode("a/b"), '"a/b"', "slash not escaped")
eq(json.encode("a\\/b"), '"a\\\\/b"', "backslash-slash")
for c = 0, 127 do
  local s = "x" .. string.char(c) .. "y"
  eq(json.encode(s), (cjson.encode(s):gsub("\\/", "/")), ("byte %d escaped as cjson does"):format(c))
end
-- Unlike cjson, bytes that are not valid UTF-8 are not copied (that would
-- not be JSON): each becomes \ufffd, as e:json() writes them.
for c = 128, 255 do
  eq(json.encode("x" .. string.char(c) .. "y"), '"x\\ufffdy"', ("lone byte %d replaced"):format(c))
end
eq(json.encode("é€😀"), '"é€😀"', "valid UTF-8 copied")
eq(json.encode("a\xe2\x82b\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80\"\xe2"),
  '"a\\ufffd\\ufffdb' .. ('\\ufffd'):rep(3 + 2 + 4) .. '\\"\\ufffd"',
  "each byte of a cut sequence, a surrogate, an overlong form, a code point past U+10FFFF")
eq(cjson.decode(json.encode("\xffok")), "\u{FFFD}ok", "read back as U+FFFD")
eq(cjson.decode(json.encode({ s = "\0\1\31\127é\t" })).s, "\0\1\31\127é\t", "strings read back")

-- Errors name what could not be written.
raises(function() json.encode({ f = print }) end, "cannot encode a function", "a function refused")

t.done("json")
