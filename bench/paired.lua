-- SPDX-License-Identifier: GPL-2.0-or-later
-- paired.lua: figures from configurations that took turns, round by round
-- (bench/run.sh). The machine's pace drifts between rounds (here the same
-- untraced thread storm took 1.2 s in some rounds and 1.55 s in others), so
-- a configuration is compared with another within each round, never through
-- medians taken across rounds.
-- A row: { round = N, elapsed = ns }.
local M = {}

function M.median(values)
  if #values == 0 then return nil end
  local v = table.move(values, 1, #values, 1, {})
  table.sort(v)
  if #v % 2 == 1 then return v[(#v + 1) // 2] end
  return (v[#v // 2] + v[#v // 2 + 1]) / 2
end

-- Each row's time over the time of base's row from the same round; rounds
-- missing from either side are left out.
function M.per_round(rows, base)
  local base_in, ratios = {}, {}
  for _, r in ipairs(base or {}) do
    if r.round and r.elapsed then base_in[r.round] = r.elapsed end
  end
  for _, r in ipairs(rows or {}) do
    local b = r.round and base_in[r.round]
    if b and r.elapsed then ratios[#ratios + 1] = r.elapsed / b end
  end
  return ratios
end

-- The median of rows' per-round ratios to base (a slowdown when base is
-- the untraced run), or nil.
function M.ratio(rows, base)
  return M.median(M.per_round(rows, base))
end

-- One-sided sign test: the chance that at least `slower` of n rounds come
-- out slower when either order is as likely as the other.
function M.sign_test_p(slower, n)
  local p, choose = 0, 1
  for k = 0, n do
    if k > 0 then choose = choose * (n - k + 1) / k end
    if k >= slower then p = p + choose end
  end
  return p / 2 ^ n
end

-- rows against older, head to head. Level when the median per-round ratio
-- is at most 1 + tolerance and rows are not slower in more rounds than
-- chance allows (sign test at 5%: with 7 rounds, slower in all 7).
function M.head_to_head(rows, older, tolerance)
  local ratios = M.per_round(rows, older)
  if #ratios == 0 then return nil end
  local slower = 0
  for _, r in ipairs(ratios) do if r > 1 then slower = slower + 1 end end
  local h = { median = M.median(ratios), slower = slower, n = #ratios, p = M.sign_test_p(slower, #ratios) }
  h.level = h.median <= 1 + tolerance and h.p >= 0.05
  h.text = ("%.3f, slower in %d of %d rounds (sign test p %.2f)"):format(h.median, slower, h.n, h.p)
  return h
end

return M
