-- SPDX-License-Identifier: GPL-2.0-or-later
-- Unit tests of lua/keytime/hist.lua (run with lua5.4, no tracer needed).
local t = dofile((arg[0]:match("^(.*)/") or ".") .. "/../lib/unit.lua")
local eq = t.eq
local hist = require "keytime.hist"

local h = hist.log2()
for _, v in ipairs({ 0, 1, 2, 3, 5, 7, 7, 1024, 1500 }) do h:add(v) end
local lines = h:lines()
eq(#lines, 12, "rows from [0] to [1K, 2K)")
eq(lines[1], "[0]                     1 |" .. ("@"):rep(17) .. (" "):rep(35) .. "|", "the [0] row: 1/3 of the bar")
eq(lines[2]:sub(1, 26), "[1]                     1 ", "the [1] row")
eq(lines[3]:sub(1, 26), "[2, 4)                  2 ", "two in [2, 4)")
eq(lines[4], "[4, 8)                  3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|", "the largest fills the bar")
eq(lines[5]:sub(1, 26), "[8, 16)                 0 ", "empty rows inside the range shown")
eq(lines[12]:sub(1, 26), "[1K, 2K)                2 ", "K labels")
eq(h.count, 9, "count")
eq(h.sum, 0 + 1 + 2 + 3 + 5 + 7 + 7 + 1024 + 1500, "sum")
local b = h:buckets()
eq(#b, 5, "non-empty buckets only")
eq(b[5].low, 1024, "last bucket low")
eq(b[5].high, 2048, "last bucket high")
eq(b[5].count, 2, "last bucket count")

local g = hist.log2()
g:add(-3); g:add(1 << 20)
eq(g:lines()[1]:sub(1, 10), "(..., 0)  ", "negatives")
eq(g:lines()[#g:lines()]:sub(1, 10), "[1M, 2M)  ", "M labels")
g:add(5, 4)
eq(g.count, 6, "add with a repeat count")

local l = hist.linear(0, 100, 10)
for _, v in ipairs({ -1, 0, 9, 10, 55, 99, 100, 1000 }) do l:add(v) end
local ll = l:lines()
eq(ll[1]:sub(1, 26), "(..., 0)                1 ", "below min")
eq(ll[2]:sub(1, 26), "[0, 10)                 2 ", "first step")
eq(ll[3]:sub(1, 26), "[10, 20)                1 ", "second step")
eq(ll[#ll]:sub(1, 26), "[100, ...)              2 ", "max and above")
eq(#ll, 12, "(..., 0) + 10 steps + [100, ...)")
local lm = hist.linear(0, 25, 10)
lm:add(24)
eq(lm:lines()[1]:sub(1, 10), "[20, 25)  ", "a last step cut at max")

eq(#hist.log2():lines(), 0, "empty: no rows")
l:reset()
eq(l.count, 0, "reset")
eq(#l:lines(), 0, "reset: no rows")

eq(pcall(hist.linear, 0, 10, 0), false, "step 0 refused")
eq(pcall(hist.linear, 10, 0, 1), false, "max below min refused")
eq(pcall(hist.linear, 0, 1.5, 1), false, "not whole refused")
t.done("hist")
