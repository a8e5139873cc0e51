-- SPDX-License-Identifier: GPL-2.0-or-later
-- Histograms printed as bpftrace prints hist() and lhist():
--   local h = hist.log2()          -- buckets [0], [1], [2, 4), [4, 8), ...
--   local l = hist.linear(0, 100, 10)   -- (..., 0), [0, 10), ..., [100, ...)
--   h:add(value [, times]); h:lines() or h:print(); h:buckets() for JSON.
-- Only the rows from the first non-empty bucket to the last are shown.
local M = {}

local BAR = 52

local Hist = {}
Hist.__index = Hist

local function new(kind, fields)
  local h = setmetatable(fields, Hist)
  h.kind, h.counts, h.count, h.sum = kind, {}, 0, 0
  return h
end

function M.log2() return new("log2", {}) end

function M.linear(min, max, step)
  min, max, step = math.tointeger(min), math.tointeger(max), math.tointeger(step)
  if not (min and max and step) then error("hist.linear(min, max, step): whole numbers", 2) end
  if step <= 0 or max <= min then error("hist.linear(min, max, step): step > 0 and max > min", 2) end
  return new("linear", { min = min, max = max, step = step })
end

-- The bucket index of a value: log2: -1 for negatives, 0 for 0, 1 for 1,
-- k for [2^(k-1), 2^k); linear: -1 below min, then one per step, the last
-- one for max and above.
local function index(h, v)
  if h.kind == "log2" then
    if v < 0 then return -1 end
    local i = 0
    while v >= 1 do v = v // 2; i = i + 1 end
    return i
  end
  if v < h.min then return -1 end
  if v >= h.max then return (h.max - h.min + h.step - 1) // h.step end
  return (v - h.min) // h.step
end

-- Low (inclusive) and high (exclusive, nil: open) ends of bucket i.
local function bounds(h, i)
  if h.kind == "log2" then
    if i < 0 then return nil, 0 end
    if i == 0 then return 0, 1 end
    return 1 << (i - 1), 1 << i
  end
  if i < 0 then return nil, h.min end
  local low = h.min + i * h.step
  if low >= h.max then return h.max, nil end
  return low, math.min(low + h.step, h.max)
end

function Hist:add(value, times)
  times = times or 1
  local i = index(self, math.floor(value))
  self.counts[i] = (self.counts[i] or 0) + times
  self.count = self.count + times
  self.sum = self.sum + value * times
end

function Hist:reset()
  self.counts, self.count, self.sum = {}, 0, 0
end

-- 1024 -> "1K", as bpftrace labels its log2 buckets.
local function short(n)
  for _, u in ipairs({ { 1 << 60, "E" }, { 1 << 50, "P" }, { 1 << 40, "T" }, { 1 << 30, "G" }, { 1 << 20, "M" }, { 1 << 10, "K" } }) do
    if n >= u[1] and n % u[1] == 0 then return (n // u[1]) .. u[2] end
  end
  return tostring(n)
end

local function label(h, i)
  local low, high = bounds(h, i)
  local f = h.kind == "log2" and short or tostring
  if h.kind == "log2" and i >= 0 and i <= 1 then return "[" .. low .. "]" end
  if not low then return "(..., " .. f(high) .. ")" end
  if not high then return "[" .. f(low) .. ", ...)" end
  return "[" .. f(low) .. ", " .. f(high) .. ")"
end

local function range(h)
  local first, last
  for i in pairs(h.counts) do
    if h.counts[i] > 0 then
      if not first or i < first then first = i end
      if not last or i > last then last = i end
    end
  end
  return first, last
end

-- The rows, bpftrace's way: label, count, a bar scaled to the largest.
function Hist:lines()
  local first, last = range(self)
  local out = {}
  if not first then return out end
  local top = 0
  for i = first, last do top = math.max(top, self.counts[i] or 0) end
  for i = first, last do
    local n = self.counts[i] or 0
    local bar = top > 0 and (n * BAR) // top or 0
    out[#out + 1] = ("%-16s %8d |%s%s|"):format(label(self, i), n, ("@"):rep(bar), (" "):rep(BAR - bar))
  end
  return out
end

function Hist:print(write)
  write = write or function(s) io.write(s, "\n") end
  for _, l in ipairs(self:lines()) do write(l) end
end

-- For JSON: the non-empty buckets, { low =, high =, count = } (low or high
-- nil for an open end).
function Hist:buckets()
  local list = {}
  local first, last = range(self)
  if not first then return list end
  for i = first, last do
    local n = self.counts[i] or 0
    if n > 0 then
      local low, high = bounds(self, i)
      list[#list + 1] = { low = low, high = high, count = n }
    end
  end
  return list
end

return M
